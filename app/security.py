"""Response headers for a public teaching server."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]
# Pages load nothing from another host, the API docs included: Swagger UI and ReDoc
# come from fastapi-offline's files, Swagger UI starts from an inline script, and the
# policy stops what their code would fetch from elsewhere (ReDoc's logo on a CDN).
DOCS_POLICY = (
    b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    b"script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'; "
    b"object-src 'none'; base-uri 'none'; frame-ancestors 'self'"
)
EMBED_POLICY = (
    b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    b"script-src 'self' 'unsafe-eval'; connect-src 'self'; object-src 'none'; base-uri 'none'"
)
# The embed may be framed by any page, slides opened from disk (file:) included, which no
# frame-ancestors source list can name; every other page only by this server's own pages.
PAGE_POLICY = EMBED_POLICY + b"; frame-ancestors 'self'"


# An exported file carries everything inline and must load nothing at all.
EXPORT_POLICY = (
    b"default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    b"style-src 'unsafe-inline'; img-src data: blob:; font-src data:"
)


class SecurityHeaders:
    """Add :data:`HEADERS` to every response, and a content policy to HTML pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        is_docs = path in ("/docs", "/redoc") or path.startswith("/docs/")
        policy = (
            DOCS_POLICY
            if is_docs
            else {"/export": EXPORT_POLICY, "/embed": EMBED_POLICY}.get(path, PAGE_POLICY)
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name for name, _ in headers}
                headers += [h for h in HEADERS if h[0] not in present]
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    headers.append((b"content-security-policy", policy))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
