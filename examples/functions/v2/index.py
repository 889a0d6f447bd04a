"""quote v2: price a basket line, now with a currency and a bulk discount.

One code package, two Function Compute 2.0 functions (runtime python3.10), each called the way FC calls it:

* ``index.handler(event, context)``: the event function ``quote``, invoked through the API (InvokeFunction)
  with a JSON body such as ``{"item": "apple", "qty": 3}``;
* ``index.web(environ, start_response)``: the HTTP function ``web`` behind an HTTP trigger, a WSGI app
  (FC's "HTTP handlers" for Python; PEP 3333): ``GET /?item=apple&qty=3`` or a POST of the same JSON.

Both answer with the service version that ran them (``context.service.version_id``), so a caller can see which
version an alias resolved to.
"""

import json
from urllib.parse import parse_qsl

PRICES = {"apple": 0.5, "pear": 0.75, "plum": 0.4, "fig": 1.2, "kiwi": 0.6, "lime": 0.3}


def price(order, context):
    """The priced order line, or an error for an unknown item."""
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


def _order_from_request(environ):
    """The order from an HTTP request: a JSON body, completed by the query string."""
    size = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(size) if size > 0 else b""
    order = json.loads(raw) if raw.strip() else {}
    for key, value in parse_qsl(environ.get("QUERY_STRING", "")):
        order.setdefault(key, value)
    return order


def handler(event, context):
    """The event function ``quote``: the event is the order as JSON."""
    order = json.loads(event or b"{}")
    return price(order if isinstance(order, dict) else {}, context)


def web(environ, start_response):
    """The HTTP function ``web``: a WSGI app; an unknown item is a 404, a crash is FC's 502."""
    answer = price(_order_from_request(environ), environ["fc.context"])
    status = "404 Not Found" if "error" in answer else "200 OK"
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps(answer).encode("utf-8")]
