// Every method, by id.
import type { MethodId } from '../../core/methods';
import { ablationCam } from './ablationCam';
import { cam } from './cam';
import { eigenCam } from './eigenCam';
import { gradCam } from './gradCam';
import { gradCamPlusPlus } from './gradCamPlusPlus';
import { hiResCam } from './hiResCam';
import { layerCam } from './layerCam';
import { scoreCam } from './scoreCam';
import type { CamMethod } from './types';
import { xGradCam } from './xGradCam';

export const METHOD_REGISTRY: Record<MethodId, CamMethod> = {
  cam,
  gradcam: gradCam,
  gradcampp: gradCamPlusPlus,
  xgradcam: xGradCam,
  hirescam: hiResCam,
  layercam: layerCam,
  eigencam: eigenCam,
  scorecam: scoreCam,
  ablationcam: ablationCam,
};
