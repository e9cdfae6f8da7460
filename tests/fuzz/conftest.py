"""Each schemathesis test item named after its API operation."""

from __future__ import annotations


def pytest_collection_modifyitems(items):
    # schemathesis 4 names its items test[GET /path], but pytest 9 builds a node id from the
    # function's name and parameters only: every operation would get the same id.
    for item in items:
        label = getattr(item, "operation_label", None)
        node_id = getattr(item, "_id", None)
        if label and node_id is not None and getattr(node_id, "params", "") is None:
            item._id = node_id.with_params(label)
