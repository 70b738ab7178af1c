// The parts of contracts/IBatchAnchor.sol that verification reads, as a human-readable ABI: the
// verifier needs no build artifacts, only an RPC endpoint and the receipt.
export const BATCH_ANCHOR_VIEWS = [
  "function anchorOf(bytes32 root) view returns (tuple(uint64 seq, uint64 treeSize, uint64 blockNumber, uint64 timestamp))",
  "function verifyInclusion(bytes32 leafHash, uint256 leafIndex, uint256 treeSize, bytes32[] path, bytes32 root) view returns (bool)",
  "event Anchored(uint256 indexed seq, bytes32 indexed root, uint64 treeSize)",
] as const;
