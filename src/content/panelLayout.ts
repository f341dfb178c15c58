// Where the overlays' panels go, together: every panel and map measured once, then the panels moved
// (a measure after each move would lay the page out again, once per panel and pass). Each panel goes
// where `core/panelPlacement` says, seeing the others where they will be, not where they were.
import type { Box } from '../core/geometry';
import type { Point } from '../core/transform2d';
import type { Placement } from './placement';

/** One overlay as the layout sees it. */
export interface PanelOwner {
  readonly panel: HTMLElement;
  readonly placement: Placement;
  /** The rect its map covers inside its host. */
  mapRect(): Box;
  /** Clipping ancestors leave nothing of its picture visible: its map covers nothing. */
  readonly clippedAway: boolean;
  /** Where the user dragged its panel (host px): it stays there. */
  readonly draggedTo: Point | null;
}

/** Places the panels of `which` (default: all), keeping off the maps and panels of all `owners`. */
export function placePanels(owners: readonly PanelOwner[], which: readonly PanelOwner[] = owners): void {
  const panels = new Map(owners.map((o): [PanelOwner, Box] => [o, o.panel.getBoundingClientRect()]));
  const maps = new Map(owners.map((o): [PanelOwner, Box] => [o, o.placement.screenBox(o.mapRect())]));
  const moves: [PanelOwner, Point][] = [];
  for (const owner of which) {
    if (owner.draggedTo) {
      moves.push([owner, owner.draggedTo]);
      continue;
    }
    const neighbours = owners.filter((o) => o !== owner && !o.clippedAway);
    const own = panels.get(owner)!;
    const spot = owner.placement.panelPosition(
      own.width,
      own.height,
      { maps: neighbours.map((o) => maps.get(o)!), panels: neighbours.map((o) => panels.get(o)!) },
      maps.get(owner)!,
    );
    panels.set(owner, spot.box); // where the next ones will find it
    moves.push([owner, spot.at]);
  }
  for (const [owner, at] of moves) {
    owner.panel.style.left = `${at.x}px`;
    owner.panel.style.top = `${at.y}px`;
  }
}

/** A frame's overlays laid out over their pictures: each panel is placed among all of them. */
export class PanelGroup<T extends PanelOwner> {
  private readonly members = new Set<T>();

  add(owner: T): void {
    this.members.add(owner);
  }

  delete(owner: T): void {
    this.members.delete(owner);
  }

  /** Every panel again (an overlay came, went or drew its map), except the ones under the pointer. */
  placeAll(): void {
    const all = [...this.members];
    placePanels(all, all.filter((o) => !o.panel.matches(':hover')));
  }

  /** One panel (its size changed), among the others. */
  place(owner: T): void {
    if (this.members.has(owner)) placePanels([...this.members], [owner]);
  }
}
