#!/usr/bin/env python3
"""A reference receiver for Kasa's `http` gateway (docs/http-gateway.md), standard library only.

It is the integrator's side of the contract: it verifies Kasa's signed requests, answers every
operation signed with the same shared secret, replays the stored answer when an Idempotency-Key
comes again (so an operation is done at most once), and serves a small payment page where the
customer approves or declines; the page sends the customer back to Kasa with the signed result.
A real integration puts its payment provider where this keeps orders in memory.

    python3 receiver.py --secret 'a shared secret of 16+ characters' [--port 8099]

It prints `listening on http://127.0.0.1:PORT` once it accepts connections. With --test-hooks
(tests only) it also takes `POST /_test/next` ({"answer": "drop" | "tamper", "operation": "refund"}:
do the next such operation but lose or tamper with its answer) and serves `GET /_test/log` (every operation:
its name, key, and whether it was done or replayed).
"""

import argparse
import hashlib
import hmac
import html
import json
import sys
import threading
import time
import urllib.parse
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 300
OPERATIONS = ("start", "status", "capture", "void", "refund", "abandon")


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Kasa signs."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(body: bytes, header: str, secret: str, now: int) -> bool:
    """Whether `header` signs `body` with `secret`, within five minutes of `now`."""
    parts = [part.strip().split("=", 1) for part in header.split(",") if "=" in part]
    timestamps = [value for key, value in parts if key == "t"]
    signatures = [value for key, value in parts if key == "v1"]
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not signatures:
        return False
    timestamp = int(timestamps[0])
    expected = sign(body, secret, timestamp).split("v1=", 1)[1]
    matches = any(hmac.compare_digest(expected, candidate) for candidate in signatures)
    return matches and abs(now - timestamp) <= TOLERANCE_SECONDS


class Shop:
    """Orders in memory, the answers stored by idempotency key, and the test hooks."""

    def __init__(self, secret: str, test_hooks: bool):
        self.secret = secret
        self.test_hooks = test_hooks
        self.lock = threading.Lock()
        self.orders = {}
        self.answers = {}
        self.log = []
        self.next_answer = None
        self.references = 0

    def reference(self, prefix: str) -> str:
        self.references += 1
        return f"{prefix}-{self.references}"


def money(text) -> Decimal:
    try:
        amount = Decimal(str(text))
    except InvalidOperation:
        raise Refusal(400, "invalid_amount", f"not an amount: {text!r}")
    if amount <= 0:
        raise Refusal(400, "invalid_amount", "amounts are positive")
    return amount


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def status_of(order: dict) -> dict:
    return {
        "order_id": order["order_id"],
        "status": order["status"],
        "amount": order["amount"],
        "currency": order["currency"],
        "reference": order.get("reference"),
        "refunded": str(order["refunded"]),
        "voided": order["voided"],
        **({"code": order["code"], "message": order["message"]} if order["status"] == "declined" else {}),
    }


def perform(shop: Shop, operation: str, request: dict, base_url: str) -> dict:
    """Does one operation (under the shop's lock); returns the answer without its key."""
    order_id = request.get("order_id")
    if operation == "start":
        if order_id in shop.orders:
            raise Refusal(409, "duplicate_order", "this order id was started before")
        shop.orders[order_id] = {
            "order_id": order_id,
            "amount": str(money(request["amount"])),
            "currency": request["currency"],
            "capture": request.get("capture", "immediate"),
            "return_url": request["return_url"],
            "language": request.get("language", "tr"),
            "status": "pending",
            "refunded": Decimal("0"),
            "voided": False,
        }
        return {"order_id": order_id, "redirect_url": f"{base_url}/pay/{urllib.parse.quote(order_id)}"}
    order = shop.orders.get(order_id)
    if order is None:
        raise Refusal(404, "unknown_order", f"no order {order_id!r}")
    if operation == "status":
        return status_of(order)
    if operation == "abandon":
        if order["status"] == "pending":
            order.update(status="declined", code="abandoned", message="the customer did not finish")
        return status_of(order)
    if operation == "capture":
        if order["status"] != "authorised":
            raise Refusal(409, "not_authorised", "only an authorised payment can be captured")
        amount = money(request.get("amount", order["amount"]))
        if amount > Decimal(order["amount"]):
            raise Refusal(409, "amount_too_large", "more than was authorised")
        order.update(status="captured", amount=str(amount))
        return {"order_id": order_id, "reference": shop.reference("cap"), "amount": str(amount),
                "currency": order["currency"]}
    if operation == "void":
        if order["status"] not in ("authorised", "captured") or order["refunded"] > 0 or order["voided"]:
            raise Refusal(409, "not_voidable", "only an authorised or captured, unrefunded payment")
        order.update(voided=True)
        return {"order_id": order_id, "reference": shop.reference("void"), "amount": order["amount"],
                "currency": order["currency"]}
    if operation == "refund":
        if order["status"] != "captured" or order["voided"]:
            raise Refusal(409, "not_refundable", "only a captured payment can be refunded")
        amount = money(request["amount"])
        if order["refunded"] + amount > Decimal(order["amount"]):
            raise Refusal(409, "amount_too_large", "more than is left to refund")
        order["refunded"] += amount
        return {"order_id": order_id, "reference": shop.reference("ref"), "amount": str(amount),
                "currency": order["currency"]}
    raise Refusal(404, "unknown_operation", operation)


def make_handler(shop: Shop):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet: the test reads stdout
            pass

        def base_url(self) -> str:
            return f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"

        def send(self, status: int, body: bytes, content_type: str, signed: bool = False, tamper=False):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if signed:
                self.send_header("Kasa-Signature", sign(body, shop.secret, int(time.time())))
            if tamper:  # signed over the true body, then changed: Kasa must refuse it
                body = body.replace(b'"order_id"', b'"order_id" ', 1)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            path = urllib.parse.urlsplit(self.path).path
            if shop.test_hooks and path == "/_test/next":
                hook = json.loads(raw or b"{}")
                shop.next_answer = (hook.get("answer"), hook.get("operation"))
                return self.send(200, b"{}", "application/json")
            if path.startswith("/pay/"):
                return self.decide(path, raw)
            operation = path.strip("/")
            if operation not in OPERATIONS:
                return self.send(404, b"{}", "application/json")
            if not verify(raw, self.headers.get("Kasa-Signature", ""), shop.secret, int(time.time())):
                # Not Kasa: nothing is done, and nothing is signed for it.
                return self.send(401, b'{"error":{"code":"bad_signature"}}', "application/json")
            request = json.loads(raw)
            key = self.headers.get("Idempotency-Key", "")
            if not key or request.get("idempotency_key") != key or request.get("operation") != operation:
                return self.send(400, b'{"error":{"code":"bad_request"}}', "application/json")
            with shop.lock:
                if key in shop.answers:
                    status, answer = shop.answers[key]
                    shop.log.append({"operation": operation, "key": key, "done": False})
                else:
                    try:
                        status, answer = 200, perform(shop, operation, request, self.base_url())
                    except Refusal as refusal:
                        status, answer = refusal.status, {"error": {"code": refusal.code, "message": refusal.message}}
                    answer = {"idempotency_key": key, "order_id": request.get("order_id"), **answer}
                    if operation != "status":
                        shop.answers[key] = (status, answer)
                    shop.log.append({"operation": operation, "key": key, "done": True})
                hook = None
                if shop.next_answer and shop.next_answer[1] == operation:
                    hook, shop.next_answer = shop.next_answer[0], None
            if hook == "drop":
                return self.send(503, b"lost on the way", "text/plain")
            body = json.dumps(answer).encode()
            self.send(status, body, "application/json", signed=True, tamper=hook == "tamper")

        def do_GET(self):
            path = urllib.parse.urlsplit(self.path).path
            if shop.test_hooks and path == "/_test/log":
                return self.send(200, json.dumps(shop.log).encode(), "application/json")
            if path.startswith("/pay/"):
                order = shop.orders.get(urllib.parse.unquote(path[len("/pay/"):]))
                if order is None or order["status"] != "pending":
                    return self.send(404, b"no such payment", "text/plain")
                action = html.escape(path)
                page = (
                    "<!doctype html><html lang=en><meta charset=utf-8><title>Pay</title>"
                    f"<h1>Pay {html.escape(order['amount'])} {html.escape(order['currency'])}</h1>"
                    f"<form method=post action='{action}'>"
                    "<button name=decision value=approve id=approve>Approve</button> "
                    "<button name=decision value=decline id=decline>Decline</button></form>"
                )
                return self.send(200, page.encode(), "text/html; charset=utf-8")
            self.send(404, b"not found", "text/plain")

        def decide(self, path: str, raw: bytes):
            """The customer approved or declined: a form that takes the signed result to Kasa."""
            order_id = urllib.parse.unquote(path[len("/pay/"):])
            decision = urllib.parse.parse_qs(raw.decode()).get("decision", [""])[0]
            with shop.lock:
                order = shop.orders.get(order_id)
                if order is None or order["status"] != "pending":
                    return self.send(404, b"no such payment", "text/plain")
                if decision == "approve":
                    approved = "authorised" if order["capture"] == "authorise_only" else "captured"
                    order.update(status=approved, reference=shop.reference("pay"),
                                 card={"brand": "visa", "last4": "4242"})
                else:
                    order.update(status="declined", code="05", message="declined by the customer")
                result = {**status_of(order), **({"card": order["card"]} if "card" in order else {})}
            payload = json.dumps(result)
            signature = sign(payload.encode(), shop.secret, int(time.time()))
            page = (
                "<!doctype html><html lang=en><meta charset=utf-8><title>Back to the shop</title>"
                f"<form method=post action='{html.escape(order['return_url'])}' id=back>"
                f"<input type=hidden name=kasa_payload value='{html.escape(payload, quote=True)}'>"
                f"<input type=hidden name=kasa_signature value='{html.escape(signature)}'>"
                f"<input type=hidden name=lang value='{html.escape(order['language'])}'>"
                "<button>Back to the shop</button></form>"
            )
            self.send(200, page.encode(), "text/html; charset=utf-8")

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--secret", required=True, help="the shared secret (Kasa's shared_secret)")
    parser.add_argument("--port", type=int, default=8099, help="0 picks a free port")
    parser.add_argument("--test-hooks", action="store_true", help="tests only: /_test/next and /_test/log")
    arguments = parser.parse_args()
    shop = Shop(arguments.secret, arguments.test_hooks)
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), make_handler(shop))
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
