"""mitmproxy addon: answers for the real hosts the tutorials use, refuses every other one, logs each request.

The hosts: the STAC API, the asset bucket and PROJ's CDN (``cdn.proj.org``, synthetic geoid grids
answered S3-style like the bucket: the CDN is the S3 bucket ``cdn.proj.org`` behind CloudFront,
mirror/LIVE-API.md F-PROJ-CDN).

Loaded by ``mitmdump -s mirror/proxy/addon.py`` with the options below (see mirror/server.py).
"""

import asyncio
import json
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import s3
import stac
from faults import Faults
from mitmproxy import ctx, http, tls

ASSET_HOST = "canelevation-dem.s3.ca-central-1.amazonaws.com"
CDN_HOST = "cdn.proj.org"
FILE_HOSTS = (ASSET_HOST, CDN_HOST)  # answered from a folder, S3-style
PROBE_HEADER = "X-Mirror-Probe"  # the mirror's own readiness check: not logged


class Mirror:
    def __init__(self):
        self.log_file = None
        self.faults = Faults()
        self.draw_fault = self.faults.drawer()

    def load(self, loader):
        loader.add_option("mirror_stac_upstream", str, "", "host:port of the rustac STAC API server")
        loader.add_option("mirror_assets", str, "", "folder answering for the asset bucket")
        loader.add_option("mirror_cdn", str, "", "folder answering for PROJ's CDN (cdn.proj.org)")
        loader.add_option("mirror_collection_order", str, "", "collection ids, comma-separated, in listing order")
        loader.add_option("mirror_log", str, "", "JSON-lines request log (appended)")
        loader.add_option("mirror_faults", str, "", "fault mode, as Faults.to_json()")

    def configure(self, updated):
        if "mirror_log" in updated and ctx.options.mirror_log:
            self.log_file = open(ctx.options.mirror_log, "a", buffering=1, encoding="utf-8")
        if "mirror_faults" in updated:
            self.faults = Faults.from_json(ctx.options.mirror_faults)
            self.draw_fault = self.faults.drawer()

    def tls_start_client(self, tls_start: tls.TlsData):
        """The bucket speaks HTTP/1.1 only, as S3's REST endpoints do (mirror/LIVE-API.md F-S3-HTTP11).

        mitmproxy's own TLS addon builds the connection (it leaves one built by a script alone);
        only its per-connection copy of the ``http2`` option is turned off, for this host only.
        """
        if tls_start.context.client.sni != ASSET_HOST:
            return
        ctx.master.addons.get("tlsconfig").tls_start_client(tls_start)
        tls_start.ssl_conn.get_app_data()["http2"] = False

    async def request(self, flow: http.HTTPFlow):
        request = flow.request
        host = request.pretty_host
        flow.metadata["mirror_host"] = host
        flow.metadata["mirror_path"] = request.path
        flow.metadata["mirror_probe"] = request.headers.pop(PROBE_HEADER, None) is not None
        if host in (stac.STAC_HOST, *FILE_HOSTS) and not flow.metadata["mirror_probe"]:
            if self.faults.latency_s:
                await asyncio.sleep(self.faults.latency_s)
            fault = self.draw_fault()
            if fault == "truncate" and not self.faults.cuts("api" if host == stac.STAC_HOST else "bucket"):
                fault = None
            flow.metadata["mirror_fault"] = fault
            if fault == "reset":
                flow.kill()
                return
            if fault == "503":
                flow.response = _unavailable(host)
                return
        if host == stac.STAC_HOST:
            self._to_stac_server(flow)
        elif host in FILE_HOSTS:
            root = ctx.options.mirror_assets if host == ASSET_HOST else ctx.options.mirror_cdn
            reply = s3.answer(Path(root), request.method, request.path, request.headers.get("Range"))
            flow.response = _response(reply.status, reply.headers, reply.body)
        else:
            mirrored = ", ".join((stac.STAC_HOST, *FILE_HOSTS))
            message = f"The offline mirror does not answer for {host}: only {mirrored} are mirrored.\n"
            flow.response = _response(502, {"Content-Type": "text/plain"}, message.encode())

    def _to_stac_server(self, flow: http.HTTPFlow):
        request = flow.request
        path = stac.upstream_path(request.path.split("?")[0])
        query = dict(request.query.items(multi=False))
        if request.method == "GET" and stac.is_search_get(path):
            try:
                body = stac.search_body(path, query)
            except stac.BadSearch as error:
                flow.response = _response(
                    400,
                    {"Content-Type": "application/json"},
                    json.dumps({"code": "BadRequest", "description": str(error)}).encode(),
                )
                return
            flow.metadata["mirror_get_query"] = query
            flow.metadata["mirror_get_path"] = path
            request.method = "POST"
            request.headers["Content-Type"] = "application/json"
            request.content = json.dumps(body).encode()
            path = "/search"
            query = {}
        if request.method == "POST" and path == "/search":
            flow.metadata["mirror_search_body"] = json.loads(request.content or b"{}")
        host, port = ctx.options.mirror_stac_upstream.rsplit(":", 1)
        request.scheme, request.host, request.port = "http", host, int(port)
        request.headers["Host"] = f"{host}:{port}"
        request.headers.pop("Accept-Encoding", None)
        request.path = path + (f"?{urlencode(query)}" if query else "")

    def response(self, flow: http.HTTPFlow):
        response = flow.response
        if response is not None and flow.request.method == "HEAD":
            # Headers only, errors included (as S3 answers): over HTTP/1.1 a body would be read as the next answer.
            response.raw_content = b""
        if flow.metadata.get("mirror_host") == stac.STAC_HOST and response is not None:
            if "json" in response.headers.get("Content-Type", "") and response.status_code == 200:
                document = json.loads(response.content)
                if isinstance(document, dict):
                    if "mirror_search_body" in flow.metadata:
                        search = flow.metadata["mirror_search_body"]
                        matches = self._matches(search)
                        document["numberMatched"] = len(matches)
                        stac.sort_page(document, matches, search)
                    stac.rewrite_links(
                        document, flow.metadata.get("mirror_get_query"), flow.metadata.get("mirror_get_path", "/search")
                    )
                    stac.reorder_collections(document, ctx.options.mirror_collection_order.split(","))
                    response.content = json.dumps(document).encode()
            response.headers["Access-Control-Allow-Origin"] = "*"
        if flow.metadata.get("mirror_fault") == "truncate" and response is not None and response.raw_content:
            full_length = len(response.raw_content)
            response.raw_content = response.raw_content[: full_length // 2]
            # Announce the whole length and close: the client sees the body end too early.
            response.headers["Content-Length"] = str(full_length)
            response.headers["Connection"] = "close"
        self._log(flow)

    def _matches(self, search: dict) -> list[dict]:
        """Every match of a search, in one page: for numberMatched (rustac reports none) and the order."""
        body = {k: v for k, v in search.items() if k not in ("skip", "token", "limit")}
        body["limit"] = stac.COUNT_LIMIT
        request = urllib.request.Request(
            f"http://{ctx.options.mirror_stac_upstream}/search",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())["features"]

    def error(self, flow: http.HTTPFlow):
        self._log(flow)

    def _log(self, flow: http.HTTPFlow):
        if self.log_file is None or flow.metadata.get("mirror_probe"):
            return
        response = flow.response
        path = flow.metadata.get("mirror_path", flow.request.path)
        record = {
            "time": round(time.time(), 3),
            "host": flow.metadata.get("mirror_host", flow.request.pretty_host),
            "method": "GET" if flow.metadata.get("mirror_get_query") else flow.request.method,
            "path": path.split("?")[0],
            "query": path.split("?", 1)[1] if "?" in path else "",
            "range": flow.request.headers.get("Range"),
            "status": response.status_code if response is not None else None,
            "bytes": len(response.raw_content or b"") if response is not None else 0,
        }
        if flow.error:
            record["error"] = str(flow.error)
        if flow.metadata.get("mirror_fault"):
            record["fault"] = flow.metadata["mirror_fault"]
        self.log_file.write(json.dumps(record) + "\n")


def _unavailable(host: str) -> http.Response:
    if host in FILE_HOSTS:
        body = (
            b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
            b"<Message>Please reduce your request rate.</Message></Error>"
        )
        return _response(503, {"Content-Type": "application/xml"}, body)
    body = json.dumps({"code": "ServiceUnavailable", "description": "the mirror's fault mode"}).encode()
    return _response(503, {"Content-Type": "application/json"}, body)


def _response(status: int, headers: dict[str, str], body: bytes) -> http.Response:
    response = http.Response.make(status, body, {k: v for k, v in headers.items() if k != "Content-Length"})
    if "Content-Length" in headers:
        # Set after make(): mitmproxy rewrites it to the body's length (0 for a HEAD).
        response.headers["Content-Length"] = headers["Content-Length"]
    return response


addons = [Mirror()]
