"""A real chat-completions server on 127.0.0.1, scripted per test, for the LLM path.

It speaks enough of the OpenAI protocol (`POST /v1/chat/completions`, JSON mode included)
for the official `openai` client and ragas to talk to it over real HTTP. Each request is
answered by the next scripted `Reply`, or, once the script is used up, by a responder:
by default `smart_reply`, which writes a cited answer for a generation request and valid
ragas JSON (statements, then verdicts; a generated question for response relevancy; for
context precision, "useful" when the excerpt shares two words of seven letters or more
with the answer) for ragas' prompts. `POST /v1/embeddings` answers with bag-of-words vectors
(texts sharing words point the same way), unless `embeddings=False` (an endpoint without them: 404).
The server counts and keeps every request, so tests can check what the client sent and
how often.

`latency` delays every reply; `capacity` bounds how many requests are served at once,
like an endpoint with that many slots (the rest wait their turn). Run it on its own with
`python tests/loopback.py --port 0 --latency 0.1 --capacity 16` (the benchmark does).
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["LoopbackServer", "Reply", "smart_reply"]

STATEMENT_MARK = "Break down each sentence into one or more fully understandable statements"
NLI_MARK = "judge the faithfulness of a series of statements"
RELEVANCE_MARK = "Generate a question for the given answer"
CONTEXT_MARK = "verify if the context was useful in arriving at the given answer"
EMBEDDING_DIM = 64
_CITE_RE = re.compile(r'<excerpt id="([^"]+)"')
_QUESTION_RE = re.compile(r"^Question: (.+)$", re.MULTILINE)


@dataclass
class Reply:
    """One scripted reply: assistant content, or an HTTP error, after an optional delay."""

    content: str | None = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    finish_reason: str = "stop"
    raw: bytes | None = None  # a body sent as is (e.g. an error document)


def _ragas_input(prompt: str) -> dict[str, Any]:
    """The JSON input block at the end of a ragas prompt."""
    body = prompt.rsplit("input: ", 1)[1].rsplit("\nOutput:", 1)[0]
    return dict(json.loads(body))


def smart_reply(request: dict[str, Any]) -> Reply:
    """A plausible reply: a cited answer, or ragas statements / verdicts in JSON."""
    prompt = str(request["messages"][-1]["content"])
    if STATEMENT_MARK in prompt:
        answer = _ragas_input(prompt)["answer"]
        statements = [
            s.strip().rstrip(".") + "."
            for s in re.split(r"(?<=[.!?])\s+", re.sub(r"\[[^\]]*\]|#+ [^\n]*", "", answer))
            if len(s.split()) >= 4
        ]
        return Reply(json.dumps({"statements": statements}))
    if RELEVANCE_MARK in prompt:
        response = _ragas_input(prompt)["response"]
        words = re.findall(r"[A-Za-z][A-Za-z-]+", re.sub(r"\[[^\]]*\]|#+ [^\n]*", "", response))
        question = "What about " + " ".join(words[:8]) + "?"
        return Reply(json.dumps({"question": question, "noncommittal": 0}))
    if CONTEXT_MARK in prompt:
        given = _ragas_input(prompt)
        said = set(re.findall(r"[a-z]{7,}", given["answer"].lower()))
        useful = int(len(said & set(re.findall(r"[a-z]{7,}", given["context"].lower()))) >= 2)
        why = "The answer uses words of this context." if useful else "Nothing of it is used."
        return Reply(json.dumps({"reason": why, "verdict": useful}))
    if NLI_MARK in prompt:
        statements = _ragas_input(prompt)["statements"]
        verdicts = [
            {"statement": s, "reason": "The context states this.", "verdict": 1} for s in statements
        ]
        return Reply(json.dumps({"statements": verdicts}))
    ids = _CITE_RE.findall(prompt) or ["excerpt-1"]
    asked = _QUESTION_RE.search(prompt)
    tag = zlib.crc32(asked.group(1).encode()) if asked else 0
    topic = f"This answer was written for question number {tag}.\n" if asked else ""
    return Reply(
        f"## How it works\n{topic}"
        f"CAR T-cell therapy uses a patient's own immune cells to fight cancer [{ids[0]}].\n\n"
        "## Where it stands\n"
        f"For this cancer it is only available in clinical trials [{ids[-1]}].\n\n"
        "*This is general information, not medical advice. Please talk with your "
        "oncologist or care team about your own situation.*\n"
    )


def _embeddings(request: dict[str, Any]) -> bytes:
    """Unit bag-of-words vectors: each lower-cased word adds 1 to a bucket by its crc32."""
    texts = request["input"] if isinstance(request["input"], list) else [request["input"]]
    data = []
    for i, text in enumerate(texts):
        vector = [0.0] * EMBEDDING_DIM
        for word in re.findall(r"[a-z]+", str(text).lower()):
            vector[zlib.crc32(word.encode()) % EMBEDDING_DIM] += 1.0
        norm = sum(x * x for x in vector) ** 0.5 or 1.0
        data.append({"object": "embedding", "index": i, "embedding": [x / norm for x in vector]})
    return json.dumps({"object": "list", "data": data, "model": request.get("model")}).encode()


class _Server(ThreadingHTTPServer):
    request_queue_size = 512  # socketserver's 5 drops a burst of connects (1 s SYN retry)


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 answering chat completions from a script."""

    def __init__(
        self,
        responder: Callable[[dict[str, Any]], Reply] = smart_reply,
        *,
        latency: float = 0.0,
        capacity: int | None = None,
        port: int = 0,
        model: str | None = None,
        embeddings: bool = True,
    ) -> None:
        self.responder = responder
        self.latency = latency
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.embeddings = embeddings
        self.embedding_requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(capacity) if capacity else None
        self._httpd = _Server(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL to give the client (`OPENAI_BASE_URL`)."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def calls(self) -> int:
        """How many chat-completion requests arrived."""
        with self._lock:
            return len(self.requests)

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order before the responder takes over."""
        with self._lock:
            self._script.extend(replies)

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self, request: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(request)
            self.headers.append(headers)
            scripted = self._script.popleft() if self._script else None
        return scripted or self.responder(request)

    def _completion(self, request: dict[str, Any], reply: Reply) -> bytes:
        prompt = " ".join(str(m.get("content", "")) for m in request.get("messages", []))
        completion = {
            "id": f"chatcmpl-{self.calls}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model or request.get("model", "unknown"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content},
                    "finish_reason": reply.finish_reason,
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": _tokens(prompt),
                "completion_tokens": _tokens(reply.content or ""),
                "total_tokens": _tokens(prompt) + _tokens(reply.content or ""),
            },
        }
        return json.dumps(completion).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stall

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                body = json.dumps({"calls": server.calls}).encode()
                self._send(200 if self.path == "/stats" else 404, body, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                request = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/").endswith("/embeddings") and server.embeddings:
                    with server._lock:
                        server.embedding_requests.append(request)
                    self._send(200, _embeddings(request), {})
                    return
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, b'{"error": {"message": "not found"}}', {})
                    return
                reply = server._next(request, {k.lower(): v for k, v in self.headers.items()})
                if server._slots:
                    server._slots.acquire()
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    time.sleep(server.latency + reply.delay)
                finally:
                    with server._lock:
                        server.in_flight -= 1
                    if server._slots:
                        server._slots.release()
                if reply.status != 200:
                    error = {"error": {"message": f"scripted {reply.status}", "type": "test"}}
                    body = reply.raw or json.dumps(error).encode()
                    self._send(reply.status, body, reply.headers)
                    return
                self._send(200, reply.raw or server._completion(request, reply), reply.headers)

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up
                    pass

        return Handler


def main() -> None:
    """Serve until killed, printing the base URL on the first line (for the benchmark)."""
    parser = argparse.ArgumentParser(description="loopback chat-completions server")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--capacity", type=int, default=None)
    args = parser.parse_args()
    server = LoopbackServer(latency=args.latency, capacity=args.capacity, port=args.port)
    print(server.url, flush=True)
    server._httpd.serve_forever()


if __name__ == "__main__":
    main()
