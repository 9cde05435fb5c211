// Talking to the server: JSON calls and the server-sent-event stream of a run.
import { withLanguage } from "./messages.js";

export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
    this.detail = detail;
  }
}

async function request(method, path, body, signal) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).detail;
    } catch {
      /* not JSON: keep the status text */
    }
    throw new ApiError(response.status, detail);
  }
  return response;
}

export const getJSON = async (path) => (await request("GET", path)).json();
export const postJSON = async (path, body, signal) => (await request("POST", path, body, signal)).json();

/**
 * POST `body` to a server-sent-event endpoint and call `handlers[event](data)` for
 * each event as it arrives. Aborting `signal` closes the connection, which stops
 * the server's computation.
 */
export async function streamEvents(path, body, handlers, signal) {
  const response = await request("POST", path, body, signal);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let boundary;
    while ((boundary = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      dispatch(block, handlers);
    }
  }
}

/** The stream of a run: `meta`, `frame`s, then `done` (or `error`). */
export const streamRun = (spec, handlers, signal) =>
  streamEvents(withLanguage("/api/runs/stream"), spec, handlers, signal);

function dispatch(block, handlers) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (data.length && handlers[event]) handlers[event](JSON.parse(data.join("\n")));
}

/**
 * Requests where only the newest answer matters (a panel following the time cursor):
 * `post` resolves to null when a newer request was made meanwhile, or when the same
 * request was answered last time (nothing to redraw) unless `again` asks anyway.
 */
export function createLatest() {
  let asked = 0;
  let answered = "";
  return {
    async post(path, body, again = false) {
      const mine = ++asked;
      const key = path + JSON.stringify(body);
      if (key === answered && !again) return null;
      try {
        const answer = await postJSON(path, body);
        if (mine !== asked) return null;
        answered = key;
        return answer;
      } catch (error) {
        if (mine !== asked) return null;
        answered = "";
        throw error;
      }
    },
  };
}
