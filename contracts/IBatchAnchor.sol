// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Tracemark batch anchor
/// @notice Records the RFC 9162 Merkle roots of Tracemark record batches, so that anyone holding a
///         receipt can check with an `eth_call` that its root was anchored, with which tree size,
///         and in which block.
interface IBatchAnchor {
    /// @notice What the contract keeps for one anchored root. Packed into a single storage slot.
    /// @param seq         1-based order in which roots were anchored (0 means "never anchored")
    /// @param treeSize    number of leaves of the RFC 9162 tree whose root was anchored
    /// @param blockNumber block in which the root was anchored
    /// @param timestamp   that block's timestamp, as the chain reports it
    struct Anchor {
        uint64 seq;
        uint64 treeSize;
        uint64 blockNumber;
        uint64 timestamp;
    }

    /// @notice The root was anchored before, as number `seq`; a root is anchored at most once.
    error RootAlreadyAnchored(bytes32 root, uint64 seq);
    /// @notice A tree has at least one leaf.
    error EmptyTree();
    /// @notice The all-zero root is reserved: it can never be an RFC 9162 root in practice and
    ///         would be indistinguishable from "not anchored".
    error ZeroRoot();

    /// @notice Emitted right after `root` is stored.
    event Anchored(uint256 indexed seq, bytes32 indexed root, uint64 treeSize);

    /// @notice Anchors `root` of a tree of `treeSize` leaves. Only holders of ANCHORER_ROLE.
    /// @return seq the anchor's sequence number
    function anchor(bytes32 root, uint64 treeSize) external returns (uint64 seq);

    /// @notice The stored anchor of `root`; all fields are zero when it was never anchored.
    function anchorOf(bytes32 root) external view returns (Anchor memory);

    /// @notice How many roots have been anchored.
    function anchorCount() external view returns (uint64);

    /// @notice RFC 9162 §2.1.3.2 inclusion-proof verification with the SHA-256 precompile:
    ///         true when `path` proves that `leafHash` is leaf `leafIndex` of the tree of
    ///         `treeSize` leaves whose root is `root`. Interior nodes are SHA-256(0x01 || l || r).
    function verifyInclusion(
        bytes32 leafHash,
        uint256 leafIndex,
        uint256 treeSize,
        bytes32[] calldata path,
        bytes32 root
    ) external view returns (bool);
}
