"""quote v2: price a basket line, now with a currency and a bulk discount.

Deployed to Function Compute as ``index.handler`` (runtime python3.10).

Accepts a direct invocation (a JSON body such as ``{"item": "apple", "qty": 3}``) and an HTTP trigger
call (``GET /?item=apple&qty=3`` or a JSON POST). It reports the service version that ran it, so a caller can
see which version an alias resolved to.
"""

import base64
import json

PRICES = {"apple": 0.5, "pear": 0.75, "plum": 0.4, "fig": 1.2, "kiwi": 0.6, "lime": 0.3}


def _request(event):
    """The order as a dict, from either a direct invocation or an HTTP trigger event."""
    data = json.loads(event or b"{}")
    if isinstance(data, dict) and "method" in data and "path" in data:  # HTTP trigger event
        body = base64.b64decode(data.get("body") or "")
        order = json.loads(body) if body.strip() else {}
        for key, value in (data.get("queries") or {}).items():
            order.setdefault(key, value[0] if isinstance(value, list) else value)
        return order
    return data if isinstance(data, dict) else {}


def handler(event, context):
    order = _request(event)
    item = str(order.get("item", "apple"))
    qty = int(order.get("qty", 1))
    if item not in PRICES:
        return {"error": f"unknown item {item!r}", "versionId": context.service.version_id}
    total = PRICES[item] * qty
    if qty >= 10:  # new in v2: 10% off bulk orders
        total *= 0.9
    return {
        "item": item,
        "qty": qty,
        "total": round(total, 2),
        "currency": "CNY",
        "versionId": context.service.version_id,
        "qualifier": context.service.qualifier,
    }
