// "JSON" in the panel: the explanation as data — model, layer, method, classes, the raw map (row-major,
// at the layer's resolution), the region of the image it covers, and the check figures with their raw
// curves — so anyone can redraw the map or recompute the AUCs elsewhere.
import type { ExplanationSuccess } from './messages';

export function explanationJson(result: ExplanationSuccess, imageUrl: string | null): string {
  const { modelId, modelName, layer, method, backend, classes, classCount, target, image, crop, box, map, faithfulness, sanity, shortcut, source, region, notes } = result;
  return JSON.stringify(
    {
      format: 'cam-lens-explanation/1',
      image: { ...image, url: imageUrl, source, ...(region ? { region } : {}), ...(crop ? { crop } : {}) },
      model: { id: modelId, name: modelName, layer, backend },
      method,
      target,
      classes,
      classCount,
      map,
      ...(box !== undefined ? { box } : {}),
      ...(faithfulness ? { faithfulness } : {}),
      ...(sanity ? { sanity } : {}),
      ...(shortcut ? { shortcut } : {}),
      ...(notes ? { notes } : {}),
    },
    null,
    1,
  );
}
