// The Lab's JSON export, for notebooks: every computed cell's raw map with what produced it.
import type { ExplanationSuccess } from '../messages';

export interface LabCellRecord {
  row: number;
  column: number;
  /** The column's heading (layer, class or model). */
  columnLabel: string;
  result: ExplanationSuccess;
}

export interface LabExportInput {
  /** Where the picture came from (file name or address). */
  origin: string;
  cells: readonly LabCellRecord[];
  exportedAt: string;
}

export function labJson({ origin, cells, exportedAt }: LabExportInput): string {
  return JSON.stringify(
    {
      format: 'cam-lens-lab/1',
      exportedAt,
      image: { origin, ...(cells[0] ? cells[0].result.image : {}) },
      cells: cells.map(({ row, column, columnLabel, result }) => ({
        row,
        column,
        columnLabel,
        model: { id: result.modelId, name: result.modelName },
        layer: result.layer,
        method: result.method,
        backend: result.backend,
        class: result.target,
        ...(result.contrast ? { contrastClass: result.contrast } : {}),
        ...(result.crop ? { crop: result.crop } : {}),
        // Raw map at the layer's resolution, row-major; signed unless the method rectifies.
        map: { width: result.map.width, height: result.map.height, values: result.map.values },
        timingsMs: result.timingsMs,
      })),
    },
    null,
    1,
  );
}
