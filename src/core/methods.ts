// The explanation methods CAM Lens offers, as data the popup, overlay and worker share.
export const METHOD_IDS = ['cam', 'gradcam', 'gradcampp', 'xgradcam', 'hirescam', 'layercam', 'eigencam', 'scorecam', 'ablationcam'] as const;
export type MethodId = (typeof METHOD_IDS)[number];
/** 'auto' = exact CAM when the model's head allows it, else Grad-CAM. */
export type MethodChoice = MethodId | 'auto';

export interface MethodInfo {
  id: MethodId;
  name: string;
  /** One-line formula for the UI and README. */
  formula: string;
  /** live: one forward + at most one backward; on-demand: many forwards (progress, cancel). */
  kind: 'live' | 'on-demand';
  /** Only for conv → global average pool → one linear layer. */
  needsLinearHead: boolean;
  /** Depends on the class (Eigen-CAM does not). */
  classSpecific: boolean;
  /**
   * Has a contrastive form, "why c and not c′": the same formula with y_c − y_c′ as the target
   * (CAM: w^c − w^c′), kept signed. The score-based methods and Eigen-CAM have none here.
   */
  contrastive: boolean;
}

export const METHODS: Record<MethodId, MethodInfo> = {
  cam: { id: 'cam', name: 'CAM', formula: 'Σ_k w_k^c A_k', kind: 'live', needsLinearHead: true, classSpecific: true, contrastive: true },
  gradcam: { id: 'gradcam', name: 'Grad-CAM', formula: 'ReLU(Σ_k mean_ij(∂y_c/∂A_k) A_k)', kind: 'live', needsLinearHead: false, classSpecific: true, contrastive: true },
  gradcampp: { id: 'gradcampp', name: 'Grad-CAM++', formula: 'ReLU(Σ_k Σ_ij α_ij^k ReLU(g_ij^k) A_k)', kind: 'live', needsLinearHead: false, classSpecific: true, contrastive: true },
  xgradcam: { id: 'xgradcam', name: 'XGrad-CAM', formula: 'ReLU(Σ_k (Σ_ij g_ij^k A_ij^k / Σ_ij A_ij^k) A_k)', kind: 'live', needsLinearHead: false, classSpecific: true, contrastive: true },
  hirescam: { id: 'hirescam', name: 'HiResCAM', formula: 'Σ_k g_k ⊙ A_k', kind: 'live', needsLinearHead: false, classSpecific: true, contrastive: true },
  layercam: { id: 'layercam', name: 'LayerCAM', formula: 'ReLU(Σ_k ReLU(g_k) ⊙ A_k)', kind: 'live', needsLinearHead: false, classSpecific: true, contrastive: true },
  eigencam: { id: 'eigencam', name: 'Eigen-CAM', formula: 'first principal component of the centred HW×K activations', kind: 'live', needsLinearHead: false, classSpecific: false, contrastive: false },
  scorecam: { id: 'scorecam', name: 'Score-CAM', formula: 'ReLU(Σ_k softmax_k(y_c(x ⊙ norm(up(A_k)))) A_k)', kind: 'on-demand', needsLinearHead: false, classSpecific: true, contrastive: false },
  ablationcam: { id: 'ablationcam', name: 'Ablation-CAM', formula: 'ReLU(Σ_k ((y_c − y_c^{A_k=0}) / y_c) A_k)', kind: 'on-demand', needsLinearHead: false, classSpecific: true, contrastive: false },
};

/** The method actually run for a choice on a model. */
export function resolveMethod(choice: MethodChoice, camApplies: boolean): MethodId {
  if (choice === 'auto') return camApplies ? 'cam' : 'gradcam';
  return choice;
}
