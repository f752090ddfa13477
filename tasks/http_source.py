"""Pulling reports from a document-exchange service (the systems ministries and provinces use to
send official letters) over HTTP.

The service's API, as this client expects it (docs/intake.md)::

    GET {base}/documents?after=<cursor>&limit=<n>        Authorization: Bearer <token>
    200 {"items": [{"id": "...", "filename": "529-BC-UBND.xlsx", "received_at": "2024-05-24T09:30:00+07:00",
                    "content_base64": "..."}            (or "url": where to GET the bytes)
                  ],
         "next_cursor": "<opaque>", "has_more": true}

Transient failures (timeouts, connection errors, HTTP 5xx and 429) are retried with exponential
backoff, a bounded number of times (tenacity; the one retry policy of the pull: its Prefect task
does not retry). The cursor is saved only after every document of a page is stored, so a crash
re-reads at most one page, and documents already read are recognised.

Every answer is read as a stream, whatever its status and encoding, up to a byte limit and
within an overall deadline per request: a page or a body that never ends, a gzip that inflates
without end, a server that sends one byte every few seconds cost at most that. A document that
cannot be fetched (missing, refused, cut off) does not block the source: the rest of its page
is received, and it is asked for again on the next pulls (the cursor waits for it), up to
MAX_DOCUMENT_ATTEMPTS pulls; then it is refused with its reason and the cursor moves on. A
redirect is such a failure, naming where it pointed; never an empty file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from datetime import UTC, datetime
from urllib.parse import urljoin, urlparse

import httpx
from sqlmodel import select
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from models.clock import VN_TZ, utcnow, vn_date
from models.errors import UserError
from models.intake import IntakeOutcome
from models.report_form import Problem
from models.tables import IntakeRow, SourceCursorRow, SourceFailureRow
from models.text import printable
from tasks.intake import ingest, keep_blob, record_outcome, too_large
from wiring.app import App

MAX_DOCUMENT_ATTEMPTS = 3  # pulls that ask again for a document that could not be fetched
MAX_ID = 200  # characters of a document id: the service's ids are short
ERROR_BODY = 64 * 1024  # read of an error answer: enough for its message, never more
PAGE_BYTES = 16 * 1024 * 1024  # a page: documents larger than a few MB come by their own URL


class TooLarge(Exception):
    def __init__(self, size: int):
        self.size = size


class DocumentProblem(Exception):
    """One document could not be fetched (the others still can)."""


class _Transient(Exception):
    """A failure that may pass: worth another try."""


class SourceError(UserError):
    """The service could not be read; ``outcomes`` lists what was stored before it failed."""

    def __init__(self, message: str, outcomes: list[IntakeOutcome] | None = None):
        super().__init__(message)
        self.outcomes = outcomes or []


def cursor_key(base_url: str) -> str:
    key = f"http:{base_url.rstrip('/')}"
    return key if len(key) <= 64 else f"http:{hashlib.sha256(base_url.encode()).hexdigest()[:32]}"


def pull_documents(app: App, *, client: httpx.Client | None = None, received_at: datetime | None = None,
                   retries: int = 3, backoff: float = 0.5, max_pages: int = 1000) -> list[IntakeOutcome]:
    """Read every new document of the service and receive it like a file; returns one outcome per
    document read. Raises SourceError (with the outcomes so far) when the service stays unavailable
    or answers with something that is not a page."""
    settings = app.settings
    base = settings.http_base_url.rstrip("/")
    if not base:
        raise UserError("Chưa cấu hình dịch vụ trao đổi văn bản (DVTRACKER_HTTP_BASE_URL).")
    token = settings.http_token.get_secret_value()
    fetch = _Fetcher(client or httpx.Client(timeout=settings.http_timeout), settings.http_timeout, settings.http_deadline,
                     {"Authorization": f"Bearer {token}"} if token else {}, retries, backoff)
    key = cursor_key(base)
    page_limit = PAGE_BYTES
    outcomes: list[IntakeOutcome] = []
    try:
        cursor = _load_cursor(app, key)
        page_size = settings.http_page_size
        for _page in range(max_pages):
            params = {"limit": page_size} | ({"after": cursor} if cursor else {})
            try:
                answer = fetch.get(f"{base}/documents", params=params, max_bytes=page_limit)
            except TooLarge:
                if page_size == 1:
                    raise SourceError(f"Dịch vụ trao đổi văn bản trả về một văn bản lớn hơn "
                                      f"{page_limit // 1_048_576} MB ngay trong trang: cần gửi văn bản lớn qua "
                                      "đường dẫn 'url'.") from None
                page_size = max(1, page_size // 2)  # inline documents too large together: ask for fewer
                continue
            except DocumentProblem as exc:
                raise SourceError(f"Dịch vụ trao đổi văn bản {base}: {exc}") from None
            items, next_cursor, has_more = _page_of(answer, base)
            received = _receive_page(app, fetch, key, base, items, received_at)
            outcomes += received
            if any(o.outcome == "deferred" for o in received):
                break  # the cursor waits: the next pull asks again for what could not be fetched
            if next_cursor and next_cursor != cursor:
                _save_cursor(app, key, next_cursor)
                cursor = next_cursor
            elif has_more:
                raise SourceError("dịch vụ báo còn trang sau nhưng không trả con trỏ mới (next_cursor).")
            if not has_more or not items:
                break
    except SourceError as exc:
        exc.outcomes = outcomes + exc.outcomes
        raise
    finally:
        if client is None:
            fetch.client.close()
    return outcomes


class _Fetcher:
    def __init__(self, client: httpx.Client, timeout: float, deadline: float, headers: dict, retries: int,
                 backoff: float):
        self.client, self.timeout, self.deadline = client, timeout, deadline
        self.headers, self.retries, self.backoff = headers, retries, backoff

    def get(self, url: str, *, max_bytes: int, authorised: bool = True, **kwargs) -> httpx.Response:
        """GET, retrying transient failures (timeouts, connection errors, HTTP 5xx and 429) with
        growing delays; an answer that would be the same next time (401, 404, a bad page) is not
        retried. A body larger than ``max_bytes`` raises TooLarge, read no further."""
        retrying = Retrying(stop=stop_after_attempt(self.retries + 1), wait=wait_exponential(multiplier=self.backoff),
                            retry=retry_if_exception_type(_Transient), sleep=time.sleep, reraise=True)
        try:
            for attempt in retrying:
                with attempt:
                    return self._checked(url, self.headers if authorised else {}, max_bytes, **kwargs)
        except _Transient as exc:
            raise SourceError(f"Không đọc được dịch vụ trao đổi văn bản {url} sau {self.retries + 1} lần thử: "
                              f"{exc}.") from None
        raise AssertionError("unreachable")  # Retrying either returns or raises

    def _checked(self, url: str, headers: dict, max_bytes: int, **kwargs) -> httpx.Response:
        try:
            response = self._get(url, headers, max_bytes, **kwargs)
        except httpx.TimeoutException:
            raise _Transient(f"quá thời gian chờ {self.timeout:g} giây") from None
        except httpx.TransportError as exc:
            raise _Transient(f"lỗi kết nối ({type(exc).__name__})") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise _Transient(f"HTTP {response.status_code}")
        if response.status_code in (401, 403):
            raise SourceError(f"Dịch vụ trao đổi văn bản từ chối truy cập (HTTP {response.status_code}): "
                              "kiểm tra DVTRACKER_HTTP_TOKEN.")
        if response.is_redirect:
            where = printable(response.headers.get("Location", "không ghi"))[:200]
            raise DocumentProblem(f"HTTP {response.status_code}: dịch vụ chuyển hướng sang {where} "
                                  "(không đi theo chuyển hướng; cần đường dẫn trực tiếp đến tệp)")
        if response.is_error or not response.is_success:
            raise DocumentProblem(f"HTTP {response.status_code} cho {printable(url)[:200]}")
        return response

    def _get(self, url: str, headers: dict, max_bytes: int, **kwargs) -> httpx.Response:
        """The answer, its body read as a stream (decoded bytes counted, whatever the encoding) up
        to ``max_bytes`` (an error's body up to ERROR_BODY), within the overall deadline."""
        until = time.monotonic() + self.deadline
        with self.client.stream("GET", url, headers=headers, timeout=self.timeout, **kwargs) as response:
            limit = max_bytes if response.is_success else ERROR_BODY
            declared = response.headers.get("Content-Length", "")
            if response.is_success and declared.isdigit() and int(declared) > max_bytes:
                raise TooLarge(int(declared))
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    if response.is_success:
                        chunks.clear()  # the exception's traceback keeps this frame alive for a while
                        raise TooLarge(size)
                    break  # enough of an error's body
                if time.monotonic() > until:
                    raise _Transient(f"quá {self.deadline:g} giây cho một lần đọc (dịch vụ gửi quá chậm)")
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-encoding", "content-length")}
        return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks)[:limit],
                              request=response.request)


def _page_of(response: httpx.Response, base: str) -> tuple[list, str | None, bool]:
    try:
        page = response.json()
    except (ValueError, RecursionError):
        page = None
    if not isinstance(page, dict) or not isinstance(page.get("items"), list):
        raise SourceError(f"Dịch vụ trao đổi văn bản {base} trả về trang không đúng định dạng "
                          "(cần JSON có 'items' là danh sách).")
    next_cursor = page.get("next_cursor")
    return page["items"], str(next_cursor) if next_cursor not in (None, "") else None, bool(page.get("has_more"))


def _ref(base: str, doc_id: object) -> str:
    return f"{base}/documents/{printable(str(doc_id))}"


def _receive_page(app: App, fetch: _Fetcher, key: str, base: str, items: list, received_at: datetime | None
                  ) -> list[IntakeOutcome]:
    refs = [_ref(base, item.get("id")) for item in items if isinstance(item, dict) and item.get("id")]
    with app.session() as session:
        seen = set(session.exec(select(IntakeRow.source_ref).where(
            IntakeRow.source == "http", IntakeRow.source_ref.in_(refs))).all()) if refs else set()
    outcomes = []
    for index, item in enumerate(items):
        doc_id = item.get("id") if isinstance(item, dict) else None
        ref = _ref(base, doc_id) if doc_id else f"{base}/documents (mục {index + 1} của trang)"
        if ref in seen:
            continue  # read before a crash or a retry: already stored
        seen.add(ref)
        outcomes.append(_receive_item(app, fetch, key, base, item, ref, received_at))
    return outcomes


def _receive_item(app: App, fetch: _Fetcher, key: str, base: str, item: object, ref: str,
                  received_at: datetime | None) -> IntakeOutcome:
    moment = received_at or app.clock.now()
    if not isinstance(item, dict) or not item.get("id") or not (item.get("content_base64") or item.get("url")):
        return _reject(app, ref, moment, "mục không hợp lệ: cần 'id' và 'content_base64' hoặc 'url'.", None)
    if len(str(item["id"])) > MAX_ID:
        return _reject(app, ref[:300] + "…", moment, f"mã văn bản dài {len(str(item['id']))} ký tự, tối đa {MAX_ID}.",
                       None)
    filename = printable(str(item.get("filename") or item["id"]))[-200:]  # a name only: never a path written to
    moment = _received(item.get("received_at")) or moment
    limit = app.settings.max_file_bytes
    if item.get("content_base64"):
        encoded = str(item["content_base64"])
        if len(encoded) * 3 // 4 > limit:
            return _reject(app, ref, moment, too_large(len(encoded) * 3 // 4, limit), None, filename)
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            sha = keep_blob(app, encoded.encode(), filename)  # keep what came, even undecodable
            return _reject(app, ref, moment, "nội dung base64 không giải mã được.", sha, filename)
    else:
        url = urljoin(base + "/", str(item["url"]))
        try:
            # The token goes only to the service itself, not to another host a document points to.
            content = fetch.get(url, authorised=urlparse(url).netloc == urlparse(base).netloc, max_bytes=limit).content
        except TooLarge as exc:
            return _reject(app, ref, moment, too_large(exc.size, limit), None, filename)
        except (DocumentProblem, SourceError) as exc:
            return _failed_fetch(app, key, ref, moment, str(exc), filename)
    _forget_failure(app, key, ref)
    return ingest(app, content, filename, source="http", source_ref=ref, received_at=moment)


def _failed_fetch(app: App, key: str, ref: str, moment: datetime, reason: str, filename: str) -> IntakeOutcome:
    """A document that could not be fetched: asked for again on the next pulls, then refused."""
    with app.session() as session:
        row = session.get(SourceFailureRow, (key, ref)) or SourceFailureRow(source=key, source_ref=ref)
        row.attempts, row.last_error, row.last_at = row.attempts + 1, reason[:1000], utcnow()
        session.add(row)
        attempts = row.attempts
    if attempts >= MAX_DOCUMENT_ATTEMPTS:
        _forget_failure(app, key, ref)  # refused for good: the intake row says why
        return _reject(app, ref, moment, f"không lấy được văn bản sau {attempts} lần lấy: {reason}.", None, filename)
    return IntakeOutcome("http", ref, "deferred", received_on=vn_date(moment), errors=[Problem(
        f"chưa lấy được văn bản (lần {attempts}/{MAX_DOCUMENT_ATTEMPTS}): {reason}; lần lấy sau sẽ thử lại.", filename)])


def _forget_failure(app: App, key: str, ref: str) -> None:
    with app.session() as session:
        row = session.get(SourceFailureRow, (key, ref))
        if row is not None:
            session.delete(row)


def _reject(app: App, ref: str, moment: datetime, message: str, sha: str | None,
            filename: str | None = None) -> IntakeOutcome:
    outcome = IntakeOutcome("http", ref, "rejected", received_on=vn_date(moment), blob_sha256=sha,
                            errors=[Problem(message, filename or ref)])
    record_outcome(app, outcome, moment)
    return outcome


def _received(text: object) -> datetime | None:
    """The time the service received the document: it decides timeliness, not the time of the pull."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)).astimezone(UTC)


def _load_cursor(app: App, key: str) -> str | None:
    with app.session() as session:
        row = session.get(SourceCursorRow, key)
        return row.cursor if row else None


def _save_cursor(app: App, key: str, cursor: str) -> None:
    with app.session() as session:
        row = session.get(SourceCursorRow, key) or SourceCursorRow(source=key)
        row.cursor, row.updated_at = cursor[:500], utcnow()
        session.add(row)
