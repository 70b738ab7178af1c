// The RFC 9162 §2.1.1 Merkle Tree Hash of a batch, built with merkletreejs.
//
// merkletreejs builds the tree layer by layer and, with duplicateOdd off, promotes a lonely last
// node to the next layer unhashed. That is exactly RFC 9162's MTH, whose left subtree is always
// the largest power of two: the promoted node is the root of the right, smaller subtree. Pairs
// are neither sorted nor are leaves re-hashed (leaf hashes come from leaf.ts), so positions stay
// bound to leaf indices. test/merkle/tree.test.ts checks this against a recursive RFC 9162
// implementation for every size from 1 to 256 and for large sizes.
import { MerkleTree } from "merkletreejs/MerkleTree";
import { digest } from "./leaf.ts";

const NODE_PREFIX = 0x01;

export interface BuiltTree {
  /** MTH of the batch: the root anchored on chain. */
  readonly root: Buffer;
  /** Number of leaves (the RFC 9162 tree size). */
  readonly size: number;
  /** RFC 9162 §2.1.3.1 PATH(index, D[size]): sibling hashes from the leaf up to the root. */
  auditPath(index: number): Buffer[];
  /** Every node, level by level from the leaves up, 32 bytes each: see auditPathPositions(). */
  nodes(): Buffer;
}

/**
 * Builds the tree over `leafHashes` (32-byte leaf hashes in leaf-index order). Returned buffers
 * are the tree's own: treat them as read-only.
 */
export function buildTree(leafHashes: readonly Buffer[]): BuiltTree {
  if (leafHashes.length === 0) throw new RangeError("a Merkle batch has at least one leaf");
  for (let i = 0; i < leafHashes.length; i++) {
    const leaf = leafHashes[i];
    if (!Buffer.isBuffer(leaf) || leaf.length !== 32) {
      throw new TypeError(`leaf hash ${i} is not a 32-byte Buffer`);
    }
  }

  // Per interior node merkletreejs calls hashFn(concatenator([left, right])) and nothing else.
  // The concatenator writes 0x01 || left || right into one reusable 65-byte buffer, and hashFn
  // makes a single one-shot SHA-256 call whose result is already a Buffer (so merkletreejs's
  // bufferify wrapper passes it through untouched), carved from Node's buffer pool (see digest()).
  // The input buffer is per tree and consumed synchronously before the next node is combined.
  const input = Buffer.alloc(65);
  input[0] = NODE_PREFIX;
  const tree = new MerkleTree(leafHashes as Buffer[], digest, {
    duplicateOdd: false,
    sortPairs: false,
    sortLeaves: false,
    hashLeaves: false,
    concatenator: ([left, right]: Buffer[]) => {
      input.set(left!, 1);
      input.set(right!, 33);
      return input;
    },
  });

  const layers = tree.getLayers();
  const size = leafHashes.length;
  return {
    root: tree.getRoot(),
    size,
    auditPath(index: number): Buffer[] {
      if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
        throw new RangeError(`leaf index ${index} is not in a tree of ${size} leaves`);
      }
      return pathFromLayers(layers, index);
    },
    nodes(): Buffer {
      return Buffer.concat(layers.flat());
    },
  };
}

/**
 * Where the nodes of PATH(index, D[size]) lie in `nodes()` (node numbers; × 32 for the byte
 * offset): the same walk as pathFromLayers, over level sizes size, ceil(size/2), … down to 1. A
 * batch stores its nodes once, and a receipt reads only these few (src/records/proofs.ts).
 */
export function auditPathPositions(size: number, index: number): number[] {
  if (!Number.isSafeInteger(size) || size < 1 || !Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is not in a tree of ${size} leaves`);
  }
  const positions: number[] = [];
  let i = index;
  let start = 0;
  for (let length = size; length > 1; length = Math.ceil(length / 2)) {
    const sibling = i % 2 === 1 ? i - 1 : i + 1;
    if (sibling < length) positions.push(start + sibling);
    start += length;
    i = Math.floor(i / 2);
  }
  return positions;
}

/**
 * The audit path read straight off the layers: at each layer the sibling of the current node,
 * when it has one (a promoted last node has none and adds nothing to the path, as in RFC 9162
 * PATH where the larger left subtree's sibling is the whole right subtree). This is what
 * merkletreejs's getProof(leaf, index) does too, minus the {position, data} objects and the
 * bufferify of the leaf per call; the position is implied by leaf index and tree size (§2.1.3.2).
 */
function pathFromLayers(layers: Buffer[][], index: number): Buffer[] {
  const path: Buffer[] = [];
  let i = index;
  for (let level = 0; level < layers.length - 1; level++) {
    const layer = layers[level]!;
    const sibling = i % 2 === 1 ? i - 1 : i + 1;
    if (sibling < layer.length) path.push(layer[sibling]!);
    i = Math.floor(i / 2);
  }
  return path;
}
