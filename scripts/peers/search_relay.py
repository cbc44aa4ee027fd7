"""The peer of `npm run bench search`: an SSE relay in the style of SN22's validator API.

FastAPI + aiohttp, as upstream: POST /search opens one aiohttp request to the miner (one ClientSession for the
app), reads the stream with iter_any(), cuts whole JSON objects out of it with json.JSONDecoder.raw_decode (as
upstream's extract_json_chunk does), and sends each as "data: <json.dumps(object)>" plus a blank line through a
StreamingResponse. The miner here is plain HTTP (MINER_URL): the relay does no bittensor signing, so it does
less work per stream than the console does.
Run: MINER_URL=http://127.0.0.1:PORT/stream python3 -m uvicorn --app-dir scripts/peers search_relay:app
"""
import json
import os

import aiohttp
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

MINER_URL = os.environ.get("MINER_URL", "http://127.0.0.1:8091/stream")
app = FastAPI()
session: aiohttp.ClientSession | None = None


@app.on_event("startup")
async def startup() -> None:
    global session
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))


@app.on_event("shutdown")
async def shutdown() -> None:
    if session:
        await session.close()


def extract(buffer: str):
    objects = []
    decoder = json.JSONDecoder(strict=False)
    while True:
        buffer = buffer.lstrip()
        if not buffer:
            break
        try:
            obj, end = decoder.raw_decode(buffer)
        except json.JSONDecodeError:
            break
        objects.append(obj)
        buffer = buffer[end:]
    return objects, buffer


@app.post("/search")
async def search(request: Request):
    body = await request.json()
    mode = "paced" if str(body.get("prompt", "")).startswith("paced") else "fast"

    async def events():
        buffer = ""
        try:
            async with session.post(f"{MINER_URL}?mode={mode}", json=body) as resp:
                async for chunk in resp.content.iter_any():
                    objects, buffer = extract(buffer + chunk.decode("utf-8", errors="ignore"))
                    for obj in objects:
                        yield f"data: {json.dumps(obj)}\n\n"
        except Exception as e:  # noqa: BLE001 - upstream's shape
            yield f"data: {json.dumps({'error': str(e)})}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")
