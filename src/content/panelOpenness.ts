// Whether an overlay's panel is open (classes, buttons, figures) or one line. Open while pinned (a
// fresh right-click result, a computation's progress) until the pointer has been away from both the
// picture and the panel; open whenever the pointer is on the picture (on the panel, CSS :hover keeps
// it open).
import type { Box } from '../core/geometry';
import type { Point } from '../core/transform2d';

export class PanelOpenness {
  private pinned = false;

  constructor(private readonly panel: HTMLElement) {}

  /** Open until the pointer has left the picture and the panel (true), or one line now (false). */
  pin(open: boolean): void {
    this.pinned = open;
    this.panel.classList.toggle('open', open);
  }

  /** A trusted pointer move at `point` (host px; null: off the host's plane), the picture drawn at `picture`. */
  pointerAt(point: Point | null, picture: Box): void {
    const onPicture = !!point && point.x >= picture.x && point.x < picture.x + picture.width && point.y >= picture.y && point.y < picture.y + picture.height;
    if (this.pinned && !onPicture && !this.panel.matches(':hover')) this.pinned = false;
    this.panel.classList.toggle('open', this.pinned || onPicture);
  }
}
