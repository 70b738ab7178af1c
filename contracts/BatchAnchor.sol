// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IBatchAnchor} from "./IBatchAnchor.sol";

/// @title Tracemark batch anchor
/// @notice See {IBatchAnchor}.
contract BatchAnchor is IBatchAnchor, AccessControl {
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    mapping(bytes32 root => Anchor) private _anchors;

    // The next sequence number, set to 1 by the constructor rather than counting from 0: the
    // first anchor then rewrites a non-zero slot (5,000 gas) instead of creating one (20,000),
    // which keeps every anchor, the first included, under the 60,000 gas budget.
    uint64 private _nextSeq;

    constructor(address admin, address anchorer) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ANCHORER_ROLE, anchorer);
        _nextSeq = 1;
    }

    /// @inheritdoc IBatchAnchor
    function anchor(bytes32 root, uint64 treeSize) external onlyRole(ANCHORER_ROLE) returns (uint64 seq) {
        if (root == bytes32(0)) revert ZeroRoot();
        if (treeSize == 0) revert EmptyTree();
        uint64 previous = _anchors[root].seq;
        if (previous != 0) revert RootAlreadyAnchored(root, previous);

        seq = _nextSeq;
        _nextSeq = seq + 1;
        // The chain's own block number and time; the contract adds no clock of its own.
        _anchors[root] = Anchor({
            seq: seq,
            treeSize: treeSize,
            blockNumber: uint64(block.number),
            timestamp: uint64(block.timestamp)
        });
        emit Anchored(seq, root, treeSize);
    }

    /// @inheritdoc IBatchAnchor
    function anchorOf(bytes32 root) external view returns (Anchor memory) {
        return _anchors[root];
    }

    /// @inheritdoc IBatchAnchor
    function anchorCount() external view returns (uint64) {
        return _nextSeq - 1;
    }

    /// @inheritdoc IBatchAnchor
    /// @dev RFC 9162 §2.1.3.2, step by step: `fn` is the node's index at the current level and
    ///      `sn` the index of the last node at that level. A path that is too long runs `sn` to 0
    ///      early; one that is too short leaves `sn` above 0. Every failure returns false.
    function verifyInclusion(
        bytes32 leafHash,
        uint256 leafIndex,
        uint256 treeSize,
        bytes32[] calldata path,
        bytes32 root
    ) external pure returns (bool) {
        if (leafIndex >= treeSize) return false;
        uint256 fn = leafIndex;
        uint256 sn = treeSize - 1;
        bytes32 r = leafHash;
        for (uint256 i = 0; i < path.length; ++i) {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn) {
                r = _node(path[i], r);
                // A right-edge node without a sibling is carried up unchanged, level by level.
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = _node(r, path[i]);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r == root;
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IBatchAnchor).interfaceId || super.supportsInterface(interfaceId);
    }

    // RFC 9162 §2.1.1 interior node, with the SHA-256 precompile.
    function _node(bytes32 left, bytes32 right) private pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x01), left, right));
    }
}
