// What the tree of a step or container holds that cannot go into an image layer
// (a name reserved for whiteouts, an overlayfs redirect, a path too long): the
// user's doing, so an InvalidArgument (exit 125), one line naming the path.
import { InvalidArgument } from '../../errors.js';

export function layerError(what: string): InvalidArgument {
  return new InvalidArgument(`cannot make a layer: ${what}`);
}
