// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title A forger's anchor contract, for tests only
/// @notice Looks like a BatchAnchor to a verifier that takes the receipt's word for which contract
///         counts: `claim` stores whatever anchor the caller likes (any block, any time) and emits
///         the same `Anchored` event, and `verifyInclusion` says yes to everything. The forged-
///         receipt tests (test/e2e/forged-receipts.test.ts) show that trust in a named contract,
///         the transaction's log and the deploy block reject what it produces.
contract YesToEverythingAnchor {
    struct Anchor {
        uint64 seq;
        uint64 treeSize;
        uint64 blockNumber;
        uint64 timestamp;
    }

    event Anchored(uint256 indexed seq, bytes32 indexed root, uint64 treeSize);

    mapping(bytes32 root => Anchor) private _claims;
    uint64 private _count;

    /// @notice Records `root` as anchored in `blockNumber` at `timestamp`, whatever block this is.
    function claim(bytes32 root, uint64 treeSize, uint64 blockNumber, uint64 timestamp) external {
        _count += 1;
        _claims[root] = Anchor({seq: _count, treeSize: treeSize, blockNumber: blockNumber, timestamp: timestamp});
        emit Anchored(_count, root, treeSize);
    }

    function anchorOf(bytes32 root) external view returns (Anchor memory) {
        return _claims[root];
    }

    function verifyInclusion(bytes32, uint256, uint256, bytes32[] calldata, bytes32) external pure returns (bool) {
        return true;
    }
}
