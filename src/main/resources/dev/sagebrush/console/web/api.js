// The console's only way to the server's data: the SageMaker API itself. Each call is the awsJson1.1 body and
// X-Amz-Target any SDK sends, POSTed to /console/api, where the session cookie (HttpOnly, SameSite=Strict) stands in
// for SigV4 and the CSRF token below proves the call comes from this page. The token lives in this module only.
let session = null;

export class ApiError extends Error {
  constructor(type, message, status) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

export function currentSession() {
  return session;
}

export async function loadSession() {
  const r = await fetch('/console/session', { credentials: 'same-origin', cache: 'no-store' });
  session = r.ok ? await r.json() : null;
  return session;
}

export async function signIn(accessKeyId, secretAccessKey, region) {
  const r = await fetch('/console/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ accessKeyId, secretAccessKey, region }),
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new ApiError('SignInFailed', body.message || 'Sign-in failed', r.status);
  session = body;
  return session;
}

export async function signOut() {
  if (session) {
    await fetch('/console/session/sign-out', {
      method: 'POST', credentials: 'same-origin', headers: { 'X-Sagebrush-Csrf': session.csrfToken },
    });
  }
  session = null;
}

const listeners = new Set();
/** Called with the error whenever a call finds the session gone (signed out elsewhere, expired, restart). */
export function onSessionLost(fn) {
  listeners.add(fn);
}

/** Calls an operation: call('SageMaker.ListTrainingJobs', {...}). */
export async function call(target, input = {}) {
  if (!session) throw new ApiError('ExpiredTokenException', 'Not signed in', 403);
  const r = await fetch('/console/api', {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': target,
      'X-Sagebrush-Csrf': session.csrfToken,
    },
    body: JSON.stringify(input),
  });
  const text = await r.text();
  const body = text ? JSON.parse(text) : {};
  if (!r.ok) {
    const type = (body.__type || 'Error').split('#').pop();
    const err = new ApiError(type, body.message || body.Message || r.statusText, r.status);
    if (type === 'ExpiredTokenException') {
      session = null;
      listeners.forEach((fn) => fn(err));
    }
    throw err;
  }
  return body;
}

export const sagemaker = (op, input) => call('SageMaker.' + op, input);
