// The Lockstep dashboard page: plain ES2022, no framework, no build step, nothing from the network.
// Every piece of state text goes into the page with textContent (never innerHTML); markdown docs
// are rendered by building elements. Updates are pushed by the server (EventSource `tip` events);
// the page never polls. The only timer re-renders countdowns from data already loaded.
'use strict';

const token = new URLSearchParams(location.search).get('token') ?? '';
const VIEWS = ['needs', 'board', 'issue', 'leases', 'history', 'forecast'];
const COLUMNS = [
  ['todo', 'To do'],
  ['in_progress', 'In progress'],
  ['blocked', 'Blocked'],
  ['review', 'Review'],
  ['done', 'Done'],
];
const PAGE = 200;

const S = {
  view: 'needs',
  live: null, // the View at the tip
  shown: null, // the View on screen (live, or the one at `at`)
  at: null, // the state commit being viewed, or null (live)
  atEvent: null,
  skew: 0, // server clock minus local clock
  slider: [], // history events for the time slider, newest first
  history: [], // the History view's events, newest first
  historyMore: false,
  historyLoaded: false,
  selectedCommit: null,
  issueId: null,
  issue: null,
  issueError: null,
  forecast: null,
  forecastError: null,
  limits: Object.fromEntries(COLUMNS.map(([k]) => [k, PAGE])),
  filter: '',
  lastNeeds: null,
  notify: localStorage.getItem('lockstep.notify') === '1',
};

// ---------- small DOM helpers (text only) ----------

const $ = (id) => document.getElementById(id);

/** An element with attributes/properties and children; strings become text nodes. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = String(v);
      else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value') el.value = String(v);
      else if (k in el && typeof v !== 'string') el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replace an element's children, keeping the focused element's place when it is re-rendered. */
function replace(el, ...children) {
  const active = document.activeElement;
  const key = active && el.contains(active) ? active.dataset.focus : undefined;
  const frag = document.createDocumentFragment();
  append(frag, children);
  el.replaceChildren(frag);
  if (key) el.querySelector(`[data-focus="${CSS.escape(key)}"]`)?.focus({ preventScroll: true });
}

// ---------- time ----------

const serverNow = () => Date.now() + S.skew;

function span(ms) {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m ${s % 60}s`;
  if (m < 60) return `${m}m`;
  const hr = Math.floor(m / 60);
  if (hr < 48) return `${hr}h ${m % 60}m`;
  return `${Math.floor(hr / 24)}d ${hr % 24}h`;
}

const age = (iso) => (!iso ? '' : Math.abs(serverNow() - Date.parse(iso)) < 1000 ? 'just now' : `${span(serverNow() - Date.parse(iso))} ago`);
const local = (iso) => (iso ? new Date(iso).toLocaleString() : '');

function timeLeft(iso) {
  if (!iso) return 'no expiry';
  const ms = Date.parse(iso) - serverNow();
  return ms > 0 ? `${span(ms)} left` : `expired ${span(ms)} ago`;
}

/** A <time> that the 1 s ticker keeps current (age or time left). */
function clock(iso, mode) {
  const el = h('time', { datetime: iso ?? '', title: local(iso), class: 'clock', dataset: { clock: mode } });
  tickOne(el);
  return el;
}

function tickOne(el) {
  const iso = el.getAttribute('datetime');
  const mode = el.dataset.clock;
  const text = mode === 'left' ? timeLeft(iso) : mode === 'for' ? (iso ? span(serverNow() - Date.parse(iso)) : '') : age(iso);
  if (el.textContent !== text) el.textContent = text;
  if (el.dataset.clock === 'left') el.classList.toggle('expired', !!iso && Date.parse(iso) <= serverNow());
}

function tick() {
  for (const el of document.querySelectorAll(`#view-${S.view} time.clock, #banner time.clock`)) tickOne(el);
}

// ---------- API ----------

class ApiError extends Error {
  constructor(code, message, data) {
    super(`${code}: ${message}`);
    this.code = code;
    this.detail = message;
    this.data = data;
  }
}

async function api(path, init = {}) {
  let res;
  try {
    res = await fetch(path, { ...init, cache: 'no-store', credentials: 'same-origin', headers: { 'X-Lockstep-Token': token, ...(init.headers ?? {}) } });
  } catch (err) {
    throw new ApiError('NETWORK', `the dashboard server did not answer (${err.message})`);
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    // not JSON
  }
  if (!res.ok || (body && body.error)) {
    const e = body && body.error;
    throw new ApiError(e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText, e?.data);
  }
  return body;
}

const q = (params) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
};

function act(action, input) {
  return api('/api/action', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action, input }) });
}

// ---------- toast ----------

let toastTimer;
function toast(text, error = false) {
  const el = $('toast');
  el.textContent = text;
  el.classList.toggle('error', error);
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), error ? 8000 : 2500);
}

// ---------- refresh (on each pushed tip) ----------

let refreshing = false;
let again = false;

async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    do {
      again = false;
      await refreshOnce();
    } while (again);
  } finally {
    refreshing = false;
  }
}

async function refreshOnce() {
  const jobs = [loadLive()];
  if (S.view === 'board' || S.view === 'history' || S.at) jobs.push(loadSliderHistory());
  if (S.view === 'history' && S.historyLoaded) jobs.push(loadHistoryHead());
  else S.historyStale = true;
  if (S.view === 'issue' && S.issueId && !S.at) jobs.push(loadIssue());
  if (S.view === 'forecast') jobs.push(loadForecast());
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) toast(failed.reason.message, true);
}

async function loadLive() {
  const v = await api('/api/view');
  S.skew = Date.parse(v.now) - Date.now();
  // The same state again (the first pushed tip right after the first read): nothing to redraw.
  const same = S.live && S.live.tip === v.tip && Date.now() - S.liveAt < 2000;
  S.live = v;
  S.liveAt = Date.now();
  updateTitle(v);
  if (!S.at && !same) {
    S.shown = v;
    renderState();
  }
}

function updateTitle(v) {
  const n = v.counts.needsYou;
  document.title = `(${n}) Lockstep`;
  $('count-needs').textContent = String(n);
  $('count-needs').classList.toggle('zero', n === 0);
  if (S.lastNeeds !== null && n > S.lastNeeds && S.notify && 'Notification' in window && Notification.permission === 'granted') {
    try {
      const newest = v.needsYou.at(-1);
      new Notification(`(${n}) Lockstep: something needs you`, { body: newest ? `${newest.kind}: ${newest.title}` : '', tag: 'lockstep-needs' });
    } catch {
      // some browsers only allow notifications from a service worker
    }
  }
  S.lastNeeds = n;
}

function renderState() {
  const v = S.shown;
  if (!v) return;
  const p = v.project ?? {};
  $('project').textContent = `project: ${p.status ?? '?'}${p.description ? ` — ${p.description.split('\n')[0].slice(0, 120)}` : ''}`;
  const corrupt = v.corrupt ?? [];
  $('corrupt').hidden = corrupt.length === 0;
  if (corrupt.length) $('corrupt').textContent = `Unreadable state files (left out): ${corrupt.map((c) => (typeof c === 'string' ? c : `${c.path} (${c.reason})`)).join('; ')}`;
  renderNeeds();
  renderBoard();
  renderIssueList();
  renderLeases();
  if (S.at && S.view === 'issue' && S.issueId) void loadIssue();
}

// ---------- views / tabs ----------

function showView(name, { focus = false, push = true } = {}) {
  if (!VIEWS.includes(name)) return;
  S.view = name;
  for (const v of VIEWS) {
    const tab = $(`tab-${v}`);
    const on = v === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`view-${v}`).hidden = !on;
  }
  if (focus) $(`tab-${name}`).focus();
  if (push) saveHash();
  if (name === 'board' || name === 'history') void loadSliderHistory().catch((e) => toast(e.message, true));
  if (name === 'history' && (!S.historyLoaded || S.historyStale)) void loadHistoryHead().catch((e) => toast(e.message, true));
  if (name === 'forecast') void loadForecast();
  if (name === 'issue') {
    if (!S.issueId && S.shown?.issues?.length) S.issueId = S.shown.issues[0].id;
    if (S.issueId) void loadIssue();
    else renderIssue();
  }
  tick();
}

function saveHash() {
  const parts = [S.view];
  if (S.view === 'issue' && S.issueId) parts.push(S.issueId);
  if (S.view === 'history' && S.selectedCommit) parts.push(S.selectedCommit);
  history.replaceState(null, '', `${location.pathname}${location.search}#${parts.join('/')}`);
}

function readHash() {
  const [view, arg] = location.hash.slice(1).split('/');
  if (view === 'issue' && arg) S.issueId = arg;
  if (view === 'history' && arg && /^[0-9a-f]{40}$/.test(arg)) S.selectedCommit = arg;
  return VIEWS.includes(view) ? view : 'needs';
}

function openIssue(id) {
  S.issueId = id;
  S.issue = null;
  showView('issue');
  $('main').focus({ preventScroll: true });
}

/** Keys typed into a text field are the field's, not shortcuts. */
function typing(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  return target.tagName === 'INPUT' && !['range', 'checkbox', 'radio', 'button', 'submit'].includes(target.type);
}

function setupKeys() {
  document.addEventListener('keydown', (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target) || $('action-dialog').open) return;
    const n = Number(e.key);
    if (Number.isInteger(n) && n >= 1 && n <= VIEWS.length) {
      e.preventDefault();
      showView(VIEWS[n - 1], { focus: true });
    }
  });
  $('tabs').addEventListener('click', (e) => {
    const tab = e.target.closest('[role=tab]');
    if (tab) showView(tab.dataset.view);
  });
  $('tabs').addEventListener('keydown', (e) => {
    const i = VIEWS.indexOf(S.view);
    let next;
    if (e.key === 'ArrowRight') next = (i + 1) % VIEWS.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + VIEWS.length) % VIEWS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = VIEWS.length - 1;
    if (next === undefined) return;
    e.preventDefault();
    showView(VIEWS[next], { focus: true });
  });
}

// ---------- actions (the form dialog) ----------

const ACTION_TITLES = {
  'task.approve': 'Approve',
  'task.request_changes': 'Request changes',
  'task.reply': 'Answer',
  'lock.force_release': 'Force-release lease',
  'task.reset': 'Reset claim',
  'implementer.stop': 'Stop implementer',
  'issue.close': 'Close issue',
};

/** The form fields of each action: [name, label, kind, required]. */
const ACTION_FIELDS = {
  'task.approve': [['feedback', 'Feedback (optional)', 'textarea', false], ['score', 'Score', 'score', false]],
  'task.request_changes': [['feedback', 'What must change', 'textarea', true]],
  'task.reply': [['messageId', 'Question id', 'readonly', false], ['content', 'Your answer', 'textarea', true]],
  'lock.force_release': [['reason', 'Reason', 'text', true]],
  'task.reset': [['reason', 'Reason', 'text', false]],
  'implementer.stop': [['reason', 'Reason', 'text', false]],
  'issue.close': [['summary', 'Summary', 'textarea', false], ['withoutDelivery', 'Close without an approved delivery', 'checkbox', false]],
};

let pending = null;

/** Open the form of `action` with `input` prefilled; `subject` says what it acts on. */
function openAction(action, input, subject) {
  if (action === 'view.issue') return openIssue(input.id);
  if (S.at) return toast('You are viewing the past: go back to live to act.', true);
  const fields = ACTION_FIELDS[action];
  if (!fields) return toast(`unknown action ${action}`, true);
  pending = { action, input: { ...input } };
  $('action-title').textContent = ACTION_TITLES[action] ?? action;
  $('action-subject').textContent = subject ?? '';
  $('action-error').hidden = true;
  $('action-submit').textContent = ACTION_TITLES[action] ?? 'Submit';
  $('action-submit').disabled = false;
  const box = $('action-fields');
  box.replaceChildren();
  let first;
  for (const [name, label, kind, required] of fields) {
    const id = `f-${name}`;
    const value = input[name];
    let control;
    if (kind === 'textarea') control = h('textarea', { id, name, rows: 4, required, value: value ?? '' });
    else if (kind === 'text') control = h('input', { id, name, type: 'text', required, value: value ?? '', autocomplete: 'off' });
    else if (kind === 'readonly') control = h('input', { id, name, type: 'text', readOnly: true, value: value ?? '' });
    else if (kind === 'checkbox') control = h('input', { id, name, type: 'checkbox', checked: !!value });
    else if (kind === 'score') {
      control = h('select', { id, name }, h('option', { value: '', text: 'no score' }), h('option', { value: '1', text: '1 (low)' }), h('option', { value: '2', text: '2' }), h('option', { value: '5', text: '5 (high)' }));
      if (value !== undefined) control.value = String(value);
    }
    if (kind === 'readonly' && !value) continue;
    const row = kind === 'checkbox' ? h('div', { class: 'field check' }, control, h('label', { for: id, text: label })) : h('div', { class: 'field' }, h('label', { for: id, text: label + (required ? ' *' : '') }), control);
    box.append(row);
    if (!first && kind !== 'readonly') first = control;
  }
  $('action-dialog').showModal();
  first?.focus();
}

function setupDialog() {
  const dialog = $('action-dialog');
  $('action-cancel').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => (pending = null));
  $('action-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!pending) return;
    const { action } = pending;
    const input = { ...pending.input };
    for (const [name, label, kind, required] of ACTION_FIELDS[action]) {
      const el = $(`f-${name}`);
      if (!el) continue;
      if (kind === 'checkbox') {
        if (el.checked) input[name] = true;
        else delete input[name];
        continue;
      }
      const value = el.value.trim();
      if (required && !value) {
        showFormError(`${label} is required`);
        el.focus();
        return;
      }
      if (kind === 'score') {
        if (value) input[name] = Number(value);
        else delete input[name];
      } else if (value) input[name] = value;
      else delete input[name];
    }
    $('action-submit').disabled = true;
    try {
      await act(action, input);
      dialog.close();
      toast(`${ACTION_TITLES[action] ?? action}: done`);
      void refresh();
    } catch (err) {
      showFormError(err instanceof ApiError ? `${err.code}: ${err.detail}` : String(err));
    } finally {
      $('action-submit').disabled = false;
    }
  });
}

function showFormError(text) {
  const el = $('action-error');
  el.textContent = text;
  el.hidden = false;
}

function actionButton(a, subject, key, primary = false) {
  return h('button', {
    type: 'button',
    class: primary ? 'primary' : undefined,
    disabled: !!S.at && a.action !== 'view.issue',
    dataset: { focus: key },
    text: a.label,
    on: { click: () => openAction(a.action, a.input ?? {}, subject) },
  });
}

// ---------- 1. Needs you ----------

const KIND_LABEL = { question: 'question', blocker: 'blocker', review: 'review', delivery: 'delivery', expired_claim: 'expired claim', stale_lease: 'stale lease', dead_agent: 'dead agent' };

function renderNeeds() {
  const items = S.shown.needsYou ?? [];
  const list = $('needs-list');
  if (!items.length) return replace(list, h('p', { class: 'empty', text: 'Nothing needs you right now.' }));
  const rows = items.map((n) => {
    const subject = `${KIND_LABEL[n.kind] ?? n.kind}: ${n.title}${n.detail && (n.kind === 'question' || n.kind === 'blocker' || n.kind === 'review') ? ` — ${n.detail}` : ''}`;
    const buttons = [actionButton(n.action, subject, `${n.key}:0`, true), ...(n.more ?? []).map((a, i) => actionButton(a, subject, `${n.key}:${i + 1}`))];
    if (n.issue && n.action.action !== 'view.issue') buttons.push(h('button', { type: 'button', dataset: { focus: `${n.key}:issue` }, text: `Issue ${n.issue}`, on: { click: () => openIssue(n.issue) } }));
    return h(
      'article',
      { class: `need kind-${n.kind}`, dataset: { key: n.key, kind: n.kind, task: n.task ?? '' } },
      h('div', { class: 'need-main' },
        h('span', { class: `badge kind-${n.kind}`, text: KIND_LABEL[n.kind] ?? n.kind }),
        n.task ? h('span', { class: 'id', text: n.task }) : null,
        h('h3', { class: 'need-title', text: n.title }),
        h('p', { class: 'need-detail', text: n.detail }),
        h('p', { class: 'meta' },
          n.by ? h('span', { text: `by ${n.by}` }) : null,
          h('span', {}, 'waiting for ', clock(n.since, 'for')),
          h('span', {}, 'latest ', clock(n.latest, 'age')),
        ),
      ),
      h('div', { class: 'need-actions' }, buttons),
    );
  });
  replace(list, rows);
}

// ---------- 2. Board ----------

function matches(t, f, issues) {
  if (!f) return true;
  const hay = `${t.id} ${t.title} ${t.owner ?? ''} ${t.claim?.by ?? ''} ${t.issue ?? ''} ${(t.issue && issues.get(t.issue)?.subject) ?? ''}`.toLowerCase();
  return hay.includes(f);
}

function renderBoard() {
  const v = S.shown;
  const board = $('board');
  const scroll = new Map([...board.querySelectorAll('.col-body')].map((el) => [el.dataset.col, el.scrollTop]));
  const issues = new Map((v.issues ?? []).map((i) => [i.id, i]));
  const order = new Map((v.issues ?? []).map((i, n) => [i.id, n]));
  const status = new Map(v.tasks.map((t) => [t.id, t.status]));
  const f = S.filter.trim().toLowerCase();
  const byCol = Object.fromEntries(COLUMNS.map(([k]) => [k, []]));
  for (const t of v.tasks) if (byCol[t.status] && matches(t, f, issues)) byCol[t.status].push(t);
  const c = v.counts;
  $('board-counts').textContent =
    `${v.tasks.length} tasks` +
    (v.tasksTotal !== undefined && v.tasksTotal > v.tasks.length ? ` shown of ${v.tasksTotal}` : '') +
    (c.canceled ? ` · ${c.canceled} canceled (not shown)` : '') +
    (f ? ` · filter “${S.filter.trim()}”` : '');
  const frag = document.createDocumentFragment();
  for (const [key, label] of COLUMNS) {
    const list = byCol[key];
    // Grouped by issue in the order of the issue list; the server's order within a group (a stable sort).
    const rank = (t) => (t.issue === undefined ? 2e9 : order.get(t.issue) ?? 1e9);
    list.sort((a, b) => rank(a) - rank(b) || (a.issue === b.issue ? 0 : a.issue < b.issue ? -1 : 1));
    const limit = S.limits[key];
    const body = h('div', { class: 'col-body', dataset: { col: key } });
    let group = undefined;
    let groupEl = null;
    const shown = Math.min(limit, list.length);
    for (let i = 0; i < shown; i++) {
      const t = list[i];
      if (t.issue !== group || groupEl === null) {
        group = t.issue;
        groupEl = h('section', { class: 'group' });
        const is = t.issue ? issues.get(t.issue) : undefined;
        groupEl.append(
          t.issue
            ? h('h4', { class: 'group-head' }, h('button', { type: 'button', class: 'link', dataset: { focus: `g:${key}:${t.issue}`, issue: t.issue }, title: `Open issue ${t.issue}`, on: { click: () => openIssue(t.issue) } }, h('span', { class: 'id', text: t.issue }), ' ', is ? is.subject : '(unknown issue)'))
            : h('h4', { class: 'group-head muted', text: 'No issue' }),
        );
        body.append(groupEl);
      }
      groupEl.append(card(t, status));
    }
    if (list.length > shown) {
      const rest = list.length - shown;
      body.append(h('button', { type: 'button', class: 'more', dataset: { focus: `more:${key}` }, text: `Show ${Math.min(rest, PAGE)} more (${rest} hidden)`, on: { click: () => { S.limits[key] += PAGE; renderBoard(); } } }));
    }
    if (list.length === 0) body.append(h('p', { class: 'empty', text: 'none' }));
    frag.append(h('section', { class: `col col-${key}`, dataset: { col: key }, 'aria-label': label }, h('h3', { class: 'col-head' }, label, ' ', h('span', { class: 'count', text: String(list.length) })), body));
  }
  replace(board, frag);
  for (const el of board.querySelectorAll('.col-body')) if (scroll.has(el.dataset.col)) el.scrollTop = scroll.get(el.dataset.col);
}

function card(t, status) {
  const el = h('article', { class: 'card', dataset: { task: t.id } });
  el.append(h('div', { class: 'card-top' }, h('span', { class: 'id', text: t.id }), h('span', { class: `cx cx-${t.complexity}`, text: t.complexity })));
  el.append(h('p', { class: 'card-title', text: t.title }));
  const meta = h('div', { class: 'card-meta' });
  const working = t.status === 'in_progress' || t.status === 'blocked';
  if (working && t.claim && !t.claim.expired) meta.append(h('span', { class: 'owner' }, `● ${t.owner ?? t.claim.by}`, t.claim.expiresAt ? [' · claim ', clock(t.claim.expiresAt, 'left')] : null));
  else if (t.owner) meta.append(h('span', { class: 'owner', text: `● ${t.owner}` }));
  else if (t.claim?.expired && t.status === 'todo') meta.append(h('span', { class: 'warn-text', text: `claim of ${t.claim.by} expired` }));
  for (const l of t.leases ?? []) meta.append(h('span', { class: 'lease', title: l.paths.join('\n') }, `lease ${l.paths.length === 1 ? l.paths[0] : `${l.paths.length} paths`} · `, clock(l.expiresAt, 'left')));
  if (t.openQuestions) meta.append(h('span', { class: 'q', text: `? ${t.openQuestions} open question${t.openQuestions > 1 ? 's' : ''}` }));
  if (meta.childNodes.length) el.append(meta);
  if (t.dependsOn?.length) {
    const deps = h('p', { class: 'deps' }, 'after ');
    t.dependsOn.forEach((d, i) => {
      const st = status.get(d);
      const done = st === 'done';
      if (i) deps.append(', ');
      deps.append(h('span', { class: done ? 'dep done' : 'dep open', title: done ? `${d} is done` : `${d} is ${st ?? 'unknown'}: not done`, text: done ? d : `${d} (${(st ?? 'not done').replace('_', ' ')})` }));
    });
    el.append(deps);
  }
  return el;
}

// --- the time slider ---

async function loadSliderHistory() {
  const r = await api(`/api/history${q({ limit: 200 })}`);
  S.slider = r.events;
  renderSlider();
}

function renderSlider() {
  const s = $('time-slider');
  const n = S.slider.length;
  s.max = String(Math.max(0, n - 1));
  s.disabled = n < 2;
  // Live updates never yank the slider: in the past it stays on the commit shown, and a move
  // still being debounced is left alone.
  if (sliderTimer !== undefined) return updateSliderLabel();
  if (S.at) {
    const i = S.slider.findIndex((e) => e.cursor === S.at);
    s.value = String(i >= 0 ? n - 1 - i : 0);
  } else s.value = s.max;
  updateSliderLabel();
}

function sliderEvent() {
  const s = $('time-slider');
  const n = S.slider.length;
  const i = n - 1 - Number(s.value);
  return S.slider[i];
}

function updateSliderLabel() {
  const e = sliderEvent();
  const live = !S.at && (!e || e.cursor === S.slider[0]?.cursor);
  // Viewing a commit older than the slider reaches: say that one, not the slider's end.
  const shown = S.at && sliderTimer === undefined && e?.cursor !== S.at ? S.atEvent : e;
  const text = live ? 'live' : shown ? `${local(shown.at)} · ${shown.op} by ${shown.actor}` : '';
  $('time-label').textContent = text;
  $('time-slider').setAttribute('aria-valuetext', text);
}

let sliderTimer;
function onSlider(immediate) {
  clearTimeout(sliderTimer);
  sliderTimer = setTimeout(() => {
    sliderTimer = undefined;
    void travel(sliderEvent());
  }, immediate ? 0 : 150);
  updateSliderLabel();
}

/** Show the state at `e` (a history event); the newest event is live. */
async function travel(e, fromSlider = true) {
  if (!e || e.cursor === S.slider[0]?.cursor) return backToLive();
  if (e.cursor === S.at) return;
  try {
    const v = await api(`/api/view${q({ at: e.cursor })}`);
    if (fromSlider && (sliderEvent()?.cursor !== e.cursor || sliderTimer !== undefined)) return; // moved on meanwhile
    S.at = e.cursor;
    S.atEvent = e;
    S.shown = v;
    document.body.classList.add('past');
    const b = $('banner-text');
    b.replaceChildren('Viewing state at ', h('strong', { text: local(e.at) }), `, ${e.op} by ${e.actor}`, ' (', clock(e.at, 'age'), ') — ');
    $('banner').hidden = false;
    renderState();
    updateSliderLabel();
  } catch (err) {
    toast(err.message, true);
  }
}

function backToLive() {
  clearTimeout(sliderTimer);
  sliderTimer = undefined;
  const wasPast = !!S.at;
  S.at = null;
  S.atEvent = null;
  $('banner').hidden = true;
  document.body.classList.remove('past');
  S.shown = S.live;
  renderSlider();
  renderState();
  if (wasPast) void refresh();
}

// ---------- 3. Issue ----------

function renderIssueList() {
  const list = $('issue-list');
  const issues = S.shown.issues ?? [];
  if (!issues.length) return replace(list, h('li', { class: 'empty', text: 'No issues yet.' }));
  replace(
    list,
    issues.map((i) =>
      h('li', {}, h('button', { type: 'button', class: `issue-link${i.id === S.issueId ? ' current' : ''}`, 'aria-current': i.id === S.issueId ? 'page' : undefined, dataset: { focus: `issue:${i.id}` }, on: { click: () => openIssue(i.id) } },
        h('span', { class: 'id', text: i.id }), ' ', h('span', { text: i.subject }), ' ', h('span', { class: `badge st-${i.status}`, text: i.status.replace('_', ' ') }), h('span', { class: 'muted', text: ` ${i.tasks} task${i.tasks === 1 ? '' : 's'}` }))),
    ),
  );
}

async function loadIssue() {
  const id = S.issueId;
  if (!id) return;
  saveHash();
  try {
    const r = await api(`/api/issue${q({ id, at: S.at ?? undefined })}`);
    if (S.issueId !== id) return;
    S.issue = r;
    S.issueError = null;
  } catch (err) {
    if (S.issueId !== id) return;
    S.issue = null;
    S.issueError = err;
  }
  renderIssueList();
  renderIssue();
}

function renderIssue() {
  const page = $('issue-page');
  if (S.issueError) return replace(page, h('p', { class: 'error', text: `${S.issueError.code}: ${S.issueError.detail}` }));
  const r = S.issue;
  if (!r) return replace(page, h('p', { class: 'empty', text: S.issueId ? 'Loading…' : 'Pick an issue, or click an issue heading on the board.' }));
  const i = r.issue;
  const parts = [];
  parts.push(h('header', { class: 'issue-head' },
    h('p', {}, h('span', { class: 'id', text: i.id }), ' ', h('span', { class: `badge st-${i.status}`, text: i.status.replace('_', ' ') }), i.expired ? h('span', { class: 'badge warn', text: 'lease expired' }) : null),
    h('h2', { class: 'issue-subject', text: i.subject }),
    h('p', { class: 'meta' }, `filed by ${i.createdBy} `, clock(i.createdAt, 'age'), i.closedBy ? ` · closed by ${i.closedBy} ` : '', i.closedAt ? clock(i.closedAt, 'age') : ''),
    i.status !== 'done' && i.status !== 'canceled'
      ? h('div', { class: 'issue-actions' }, h('button', { type: 'button', class: 'primary', disabled: !!S.at, dataset: { focus: 'issue-close' }, text: 'Close issue', on: { click: () => openAction('issue.close', { id: i.id }, `${i.id}: ${i.subject}`) } }))
      : null,
  ));
  const c = r.counts ?? {};
  parts.push(h('p', { class: 'muted', text: `${c.total ?? r.tasks.length} tasks: ${['todo', 'in_progress', 'blocked', 'review', 'done', 'canceled'].filter((k) => c[k]).map((k) => `${c[k]} ${k.replace('_', ' ')}`).join(', ') || 'none'}` }));
  if (i.description) parts.push(h('section', { class: 'doc' }, h('h3', { text: 'Description' }), markdown(i.description)));
  if (i.summary) parts.push(h('section', { class: 'doc' }, h('h3', { text: 'Summary' }), markdown(i.summary)));
  for (const d of r.docs ?? []) {
    parts.push(h('section', { class: 'doc', dataset: { doc: d.name } }, h('h3', { class: 'doc-name' }, 'doc: ', d.name), markdown(d.text), d.truncated ? h('p', { class: 'muted', text: '(cut here; the whole doc is in doc_read)' }) : null));
  }
  parts.push(h('h3', { text: 'Tasks' }));
  if (!r.tasks.length) parts.push(h('p', { class: 'empty', text: 'No tasks.' }));
  for (const t of r.tasks) parts.push(issueTask(t));
  parts.push(h('h3', { text: 'Deliveries' }));
  if (!r.deliveries?.length) parts.push(h('p', { class: 'empty', text: 'No deliveries.' }));
  for (const d of r.deliveries ?? []) parts.push(delivery(d));
  replace(page, parts);
}

function issueTask(t) {
  const el = h('section', { class: 'itask', dataset: { task: t.id } });
  el.append(h('h4', {}, h('span', { class: 'id', text: t.id }), ' ', t.title, ' ', h('span', { class: `badge st-${t.status}`, text: t.status.replace('_', ' ') }), t.owner ? h('span', { class: 'muted', text: ` ${t.owner}` }) : null));
  if (t.description) el.append(h('details', {}, h('summary', { text: 'Description' }), markdown(t.description)));
  if (t.status === 'review' && !S.at) {
    el.append(h('div', { class: 'row-actions' },
      h('button', { type: 'button', class: 'primary', dataset: { focus: `approve:${t.id}` }, text: 'Approve', on: { click: () => openAction('task.approve', { id: t.id }, `${t.id}: ${t.title}`) } }),
      h('button', { type: 'button', dataset: { focus: `changes:${t.id}` }, text: 'Request changes', on: { click: () => openAction('task.request_changes', { id: t.id }, `${t.id}: ${t.title}`) } }),
    ));
  }
  if (t.submission) {
    const s = t.submission;
    el.append(h('div', { class: 'submission' },
      h('p', { class: 'meta' }, `submitted by ${s.by} `, clock(s.at, 'age'), s.testResult ? ` · tests ${s.testResult}` : ''),
      s.summary ? markdown(s.summary) : null,
      s.changedFiles?.length ? h('p', { class: 'mono', text: `changed: ${s.changedFiles.join(', ')}` }) : null,
    ));
  }
  const msgs = t.messages ?? [];
  if (msgs.length) {
    const answered = new Set(msgs.filter((m) => m.kind === 'reply' && m.replyTo).map((m) => m.replyTo));
    const thread = h('ol', { class: 'thread', 'aria-label': `Q&A of ${t.id}` });
    for (const m of msgs) {
      const open = (m.kind === 'question' || m.kind === 'blocker') && !answered.has(m.id);
      thread.append(h('li', { class: `msg msg-${m.kind}${m.replyTo ? ' is-reply' : ''}` },
        h('p', { class: 'meta' }, h('span', { class: `badge kind-${m.kind}`, text: m.kind }), ` ${m.from} `, clock(m.at, 'age'), m.replyTo ? ` · re ${m.replyTo}` : ''),
        h('p', { class: 'msg-text', text: m.content }),
        open && !S.at ? h('button', { type: 'button', dataset: { focus: `answer:${m.id}` }, text: 'Answer', on: { click: () => openAction('task.reply', { task: t.id, messageId: m.id }, `${t.id}: ${m.content.slice(0, 200)}`) } }) : null,
      ));
    }
    el.append(thread);
  }
  const reviews = t.reviews ?? [];
  if (reviews.length || t.review?.verdict) {
    const list = h('ul', { class: 'reviews' });
    for (const r of reviews) list.append(h('li', {}, h('span', { class: `badge v-${r.verdict}`, text: r.verdict.replace('_', ' ') }), ` by ${r.by} for ${r.worker}`, r.score ? h('span', { class: 'score', text: ` score ${r.score}` }) : '', ' ', clock(r.at, 'age')));
    el.append(h('div', { class: 'review' }, h('h5', { text: 'Reviews' }), list, t.review?.feedback ? h('blockquote', {}, markdown(t.review.feedback)) : null));
  }
  return el;
}

function delivery(d) {
  const e = d.testEvidence ?? {};
  const a = d.artifacts ?? {};
  const pass = (ok) => h('span', { class: ok ? 'ok' : 'bad', text: ok ? 'passed' : 'failed' });
  return h('section', { class: 'delivery', dataset: { delivery: d.id } },
    h('h4', {}, h('span', { class: 'id', text: d.id }), ' ', h('span', { class: `badge st-${d.status}`, text: d.status.replace('_', ' ') }), ` by ${d.deliveredBy} `, clock(d.deliveredAt, 'age')),
    markdown(d.summary ?? ''),
    h('p', {}, 'tests: ', pass(a.testResult === 'passed'), a.changedFiles?.length ? h('span', { class: 'mono', text: ` · changed ${a.changedFiles.join(', ')}` }) : null),
    a.knownRisks ? h('p', { class: 'warn-text', text: `known risks: ${a.knownRisks}` }) : null,
    h('details', {}, h('summary', { text: 'Evidence' }),
      h('p', {}, 'script ', h('code', { text: e.scriptCmd ?? '' }), ' ', pass(!!e.scriptPassed)),
      e.scriptResult ? h('pre', { text: e.scriptResult }) : null,
      h('p', {}, 'procedure ', h('code', { text: e.docPath ?? '' }), ' ', pass(!!e.docPassed)),
      (e.docResults ?? []).map((c) => [h('p', {}, h('code', { text: c.command }), ' ', pass(c.passed)), c.output ? h('pre', { text: c.output }) : null]),
      d.verification ? h('p', {}, 'verified by the reviewer: script ', pass(d.verification.scriptPassed), ', procedure ', pass(d.verification.docPassed)) : null,
    ),
    d.feedback ? h('blockquote', {}, `${d.reviewedBy ?? 'reviewer'}: `, d.feedback) : null,
  );
}

// ---------- tiny markdown renderer (elements and text nodes only) ----------

function markdown(src) {
  const root = h('div', { class: 'md' });
  const lines = String(src ?? '').replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  let para = [];
  const flush = () => {
    if (para.length) root.append(inline(h('p'), para.join(' ')));
    para = [];
  };
  while (i < lines.length) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      flush();
      const body = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i++;
      root.append(h('pre', {}, h('code', { text: body.join('\n'), dataset: fence[2] ? { lang: fence[2] } : undefined })));
      continue;
    }
    const head = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (head) {
      flush();
      root.append(inline(h(`h${Math.min(6, head[1].length + 2)}`), head[2]));
      i++;
      continue;
    }
    if (/^\s*(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$/.test(line)) {
      flush();
      root.append(h('hr'));
      i++;
      continue;
    }
    const item = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/.exec(line);
    if (item) {
      flush();
      const ordered = /\d/.test(item[2]);
      const list = h(ordered ? 'ol' : 'ul');
      while (i < lines.length) {
        const m = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/.exec(lines[i]);
        if (m && /\d/.test(m[2]) === ordered) {
          const li = h('li');
          const task = /^\[([ xX])\]\s+(.*)$/.exec(m[3]);
          if (task) li.append(task[1] === ' ' ? '[ ] ' : '[x] ');
          inline(li, task ? task[2] : m[3]);
          if (m[1].length >= 2) li.className = 'nested';
          list.append(li);
          i++;
        } else if (!m && lines[i].trim() && /^\s{2,}\S/.test(lines[i]) && list.lastChild) {
          inline(list.lastChild, ` ${lines[i].trim()}`);
          i++;
        } else break;
      }
      root.append(list);
      continue;
    }
    if (/^\s*>/.test(line)) {
      flush();
      const body = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) body.push(lines[i++].replace(/^\s*>\s?/, ''));
      root.append(h('blockquote', {}, markdown(body.join('\n'))));
      continue;
    }
    if (!line.trim()) {
      flush();
      i++;
      continue;
    }
    para.push(line.trim());
    i++;
  }
  flush();
  return root;
}

const INLINE = [
  ['code', /`([^`]+)`/],
  ['link', /\[([^\]]*)\]\(((?:[^()\s]|\([^()\s]*\))*)(?:\s+"[^"]*")?\)/],
  ['bold', /\*\*(?=\S)(.+?)\*\*|__(?=\S)(.+?)__/],
  ['em', /\*(?=\S)([^*]+?)\*|(?<![\w])_(?=\S)([^_]+?)_(?![\w])/],
];

/** Append `text` to `el` with inline code, links (as text plus the URL), bold and italic. */
function inline(el, text) {
  let rest = text;
  while (rest) {
    let best = null;
    for (const [kind, re] of INLINE) {
      const m = re.exec(rest);
      if (m && (best === null || m.index < best.m.index)) best = { kind, m };
    }
    if (!best) {
      el.append(rest);
      break;
    }
    const { kind, m } = best;
    if (m.index) el.append(rest.slice(0, m.index));
    if (kind === 'code') el.append(h('code', { text: m[1] }));
    else if (kind === 'link') {
      const label = m[1] || m[2];
      el.append(inline(h('span', { class: 'md-link' }), label));
      if (m[2] && m[2] !== label) el.append(h('span', { class: 'md-url', text: ` <${m[2]}>` }));
    } else el.append(inline(h(kind === 'bold' ? 'strong' : 'em'), m[1] ?? m[2]));
    rest = rest.slice(m.index + m[0].length);
  }
  return el;
}

// ---------- 4. Leases and agents ----------

function renderLeases() {
  const v = S.shown;
  const leases = [...(v.leases ?? [])].sort((a, b) => (a.expiresAt < b.expiresAt ? -1 : 1));
  const lb = $('lease-table').tBodies[0];
  if (!leases.length) replace(lb, h('tr', {}, h('td', { colSpan: 6, class: 'empty', text: 'No leases.' })));
  else
    replace(lb, leases.map((l) =>
      h('tr', { class: l.expired ? 'expired' : undefined, dataset: { lease: l.id } },
        h('td', { text: l.owner }),
        h('td', { class: 'mono' }, l.paths.map((p) => h('div', { text: p })), l.reason ? h('div', { class: 'muted', text: l.reason }) : null),
        h('td', {}, h('span', { class: `badge ${l.exclusive ? 'excl' : 'shared'}`, text: l.exclusive ? 'exclusive' : 'shared' })),
        h('td', { class: 'id', text: l.task ?? '' }),
        h('td', {}, clock(l.expiresAt, 'left')),
        h('td', {}, h('button', { type: 'button', disabled: !!S.at, dataset: { focus: `release:${l.id}` }, text: 'Force release', on: { click: () => openAction('lock.force_release', { leaseId: l.id, reason: l.expired ? 'lease expired' : '' }, `${l.owner}: ${l.paths.join(', ')}`) } })),
      )));
  const ab = $('agent-table').tBodies[0];
  const agents = v.agents ?? [];
  if (!agents.length) replace(ab, h('tr', {}, h('td', { colSpan: 8, class: 'empty', text: 'No agents registered.' })));
  else
    replace(ab, agents.map((a) =>
      h('tr', { class: a.status === 'stopped' ? 'stopped' : undefined, dataset: { agent: a.name } },
        h('td', { text: a.name }),
        h('td', { text: a.role }),
        h('td', {}, h('span', { class: a.alive === true ? 'ok' : a.alive === false ? 'bad' : 'muted', text: a.status === 'stopped' ? 'stopped' : a.alive === true ? 'alive' : a.alive === false ? 'gone' : 'unknown' }), a.pid ? h('span', { class: 'muted mono', text: ` pid ${a.pid}${a.host ? `@${a.host}` : ''}` }) : null),
        h('td', { class: 'id', text: a.currentTask ?? '' }),
        h('td', { class: 'mono', text: a.worktree ?? '' }),
        h('td', { class: 'mono', text: a.branch ?? '' }),
        h('td', {}, clock(a.lastSeen, 'age')),
        h('td', {}, a.role === 'implementer' && a.status !== 'stopped' ? h('button', { type: 'button', disabled: !!S.at, dataset: { focus: `stop:${a.name}` }, text: 'Stop', on: { click: () => openAction('implementer.stop', { name: a.name }, a.name) } }) : null),
      )));
}

// ---------- 5. History ----------

async function loadHistoryHead() {
  const r = await api(`/api/history${q({ limit: 200 })}`);
  const seen = new Set(r.events.map((e) => e.cursor));
  const older = S.history.filter((e) => !seen.has(e.cursor));
  // Keep what was loaded beyond the first page, unless the head moved by more than a page.
  const joined = older.length && S.history.length > r.events.length && seen.has(S.history[0]?.cursor) ? [...r.events, ...older] : r.events;
  if (joined === r.events) S.historyMore = r.hasMore;
  S.history = joined;
  S.historyLoaded = true;
  S.historyStale = false;
  renderHistory();
  if (S.selectedCommit && !S.diff) void loadDiff(S.selectedCommit);
}

async function loadOlder() {
  const last = S.history.at(-1);
  if (!last) return;
  const btn = $('history-more');
  btn.disabled = true;
  try {
    const r = await api(`/api/history${q({ limit: 200, before: last.cursor })}`);
    S.history = [...S.history, ...r.events];
    S.historyMore = r.hasMore;
    renderHistory();
  } catch (err) {
    toast(err.message, true);
  } finally {
    btn.disabled = false;
  }
}

function renderHistory() {
  const list = $('history-list');
  const frag = document.createDocumentFragment();
  for (const e of S.history) {
    const on = e.cursor === S.selectedCommit;
    frag.append(h('li', { class: on ? 'current' : undefined },
      h('button', { type: 'button', class: 'event', 'aria-pressed': String(on), dataset: { focus: `ev:${e.cursor}`, cursor: e.cursor }, on: { click: () => void loadDiff(e.cursor) } },
        h('span', { class: 'op', text: e.op }),
        h('span', { class: 'actor', text: e.actor }),
        h('span', { class: 'ents mono', text: e.entities.join(' ') }),
        h('span', { class: 'when' }, clock(e.at, 'age')),
      )));
  }
  if (!S.history.length) frag.append(h('li', { class: 'empty', text: 'No state commits yet.' }));
  replace(list, frag);
  $('history-more').hidden = !S.historyMore;
}

async function loadDiff(commit) {
  S.selectedCommit = commit;
  S.diff = null;
  saveHash();
  renderHistory();
  replace($('diff'), h('p', { class: 'muted', text: 'Loading…' }));
  try {
    const d = await api(`/api/diff${q({ commit })}`);
    if (S.selectedCommit !== commit) return;
    S.diff = d;
    renderDiff();
  } catch (err) {
    replace($('diff'), h('p', { class: 'error', text: `${err.code}: ${err.detail}` }));
  }
}

function renderDiff() {
  const d = S.diff;
  const e = d.event ?? {};
  const parts = [h('h3', {}, h('span', { text: e.op ?? 'commit' }), ' by ', e.actor ?? '?'), h('p', { class: 'meta' }, h('span', { class: 'mono', text: d.commit.slice(0, 12) }), ' · ', local(e.at), ' · ', e.subject ?? '')];
  parts.push(h('p', {}, h('button', { type: 'button', dataset: { focus: 'diff-travel' }, text: 'Show the board at this commit', on: { click: () => void travelTo(d) } })));
  if (!d.files.length) parts.push(h('p', { class: 'empty', text: 'No files changed.' }));
  for (const f of d.files) parts.push(fileDiff(f));
  replace($('diff'), parts);
}

async function travelTo(d) {
  if (!S.slider.some((e) => e.cursor === d.commit)) await loadSliderHistory();
  const i = S.slider.findIndex((e) => e.cursor === d.commit);
  // Older than the slider reaches (200 commits): the board still goes there, the slider to its left end.
  $('time-slider').value = String(i < 0 ? 0 : S.slider.length - 1 - i);
  showView('board');
  await travel(i < 0 ? { ...d.event, cursor: d.commit } : S.slider[i], false);
}

function fileDiff(f) {
  const a = f.before === undefined || f.before === null ? [] : f.before.split('\n');
  const b = f.after === undefined || f.after === null ? [] : f.after.split('\n');
  if (a.at(-1) === '') a.pop();
  if (b.at(-1) === '') b.pop();
  const ops = lineDiff(a, b);
  const box = h('section', { class: 'file', dataset: { path: f.path } }, h('h4', {}, h('span', { class: `badge ch-${f.change}`, text: f.change }), ' ', h('span', { class: 'mono', text: f.path })));
  if (!ops) {
    box.append(h('p', { class: 'muted', text: 'Too large for a line diff; both texts side by side:' }), h('div', { class: 'side' }, h('pre', { class: 'before', text: f.before ?? '' }), h('pre', { class: 'after', text: f.after ?? '' })));
    return box;
  }
  const table = h('table', { class: 'lines' });
  const body = h('tbody');
  let na = 0;
  let nb = 0;
  for (const [op, text] of ops) {
    const cls = op === '-' ? 'del' : op === '+' ? 'add' : 'same';
    body.append(h('tr', { class: cls }, h('td', { class: 'ln', text: op !== '+' ? String(++na) : '' }), h('td', { class: 'ln', text: op !== '-' ? String(++nb) : '' }), h('td', { class: 'sign', text: op === '=' ? ' ' : op }), h('td', { class: 'code', text })));
  }
  table.append(body);
  box.append(h('div', { class: 'scroll' }, table));
  return box;
}

/** A line diff: common prefix and suffix, then an LCS table over the middle (null when too big). */
function lineDiff(a, b) {
  let s = 0;
  while (s < a.length && s < b.length && a[s] === b[s]) s++;
  let ea = a.length;
  let eb = b.length;
  while (ea > s && eb > s && a[ea - 1] === b[eb - 1]) {
    ea--;
    eb--;
  }
  const x = a.slice(s, ea);
  const y = b.slice(s, eb);
  if ((x.length + 1) * (y.length + 1) > 4_000_000) return null;
  const w = y.length + 1;
  const L = new Uint32Array((x.length + 1) * w);
  for (let i = x.length - 1; i >= 0; i--) for (let j = y.length - 1; j >= 0; j--) L[i * w + j] = x[i] === y[j] ? L[(i + 1) * w + j + 1] + 1 : Math.max(L[(i + 1) * w + j], L[i * w + j + 1]);
  const out = a.slice(0, s).map((t) => ['=', t]);
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      out.push(['=', x[i++]]);
      j++;
    } else if (L[(i + 1) * w + j] >= L[i * w + j + 1]) out.push(['-', x[i++]]);
    else out.push(['+', y[j++]]);
  }
  while (i < x.length) out.push(['-', x[i++]]);
  while (j < y.length) out.push(['+', y[j++]]);
  for (const t of a.slice(ea)) out.push(['=', t]);
  return out;
}

// ---------- 6. Forecast ----------

let forecastBusy = false;
async function loadForecast() {
  if (forecastBusy) return;
  forecastBusy = true;
  try {
    S.forecast = await api('/api/forecast');
    S.forecastError = null;
  } catch (err) {
    S.forecastError = err;
  } finally {
    forecastBusy = false;
  }
  renderForecast();
}

function renderForecast() {
  const note = $('forecast-note');
  const mb = $('forecast-table').tBodies[0];
  const ab = $('forecast-agents').tBodies[0];
  if (S.forecastError) {
    note.textContent = `${S.forecastError.code}: ${S.forecastError.detail}`;
    note.className = 'error';
    return;
  }
  const f = S.forecast;
  if (!f) return;
  note.className = 'muted';
  note.textContent =
    `Dry merges (nothing written) of each agent branch into ${f.target ?? 'the target'} and of agent branches against each other.` +
    (f.targetMissing ? ` The target branch ${f.target} does not exist.` : '') +
    (f.truncated ? ' Only the first 20 agent branches are compared.' : '') +
    (S.at ? ' (The forecast is always of the branches now, not of the state being viewed.)' : '');
  const merges = f.merges ?? [];
  if (!merges.length) replace(mb, h('tr', {}, h('td', { colSpan: 5, class: 'empty', text: 'No agent branch is ahead of its target: nothing to merge.' })));
  else
    replace(mb, merges.map((m) =>
      h('tr', { class: m.clean ? 'clean' : 'conflict' },
        h('td', { class: 'mono', text: m.ours }),
        h('td', { class: 'mono', text: m.theirs }),
        h('td', { text: m.kind === 'into-target' ? 'into target' : 'between agents' }),
        h('td', {}, m.error ? h('span', { class: 'bad', text: `error: ${m.error}` }) : h('span', { class: m.clean ? 'ok' : 'bad', text: m.clean ? 'clean' : 'conflict' })),
        h('td', { class: 'mono' }, (m.conflicts ?? []).map((c) => h('div', { text: c }))),
      )));
  const agents = f.agents ?? [];
  if (!agents.length) replace(ab, h('tr', {}, h('td', { colSpan: 5, class: 'empty', text: 'No agent branches (lockstep/<agent>).' })));
  else replace(ab, agents.map((a) => h('tr', {}, h('td', { text: a.agent }), h('td', { class: 'mono', text: a.branch }), h('td', { class: 'mono', text: a.target }), h('td', { text: String(a.ahead) }), h('td', { text: String(a.behind) }))));
}

// ---------- theme and notifications ----------

const THEMES = ['auto', 'dark', 'light'];
function applyTheme(t) {
  if (t === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
  $('theme').textContent = `Theme: ${t}`;
}

function setupChrome() {
  let theme = localStorage.getItem('lockstep.theme');
  if (!THEMES.includes(theme)) theme = 'auto';
  applyTheme(theme);
  $('theme').addEventListener('click', () => {
    theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
    localStorage.setItem('lockstep.theme', theme);
    applyTheme(theme);
  });
  const nb = $('notify');
  const show = () => {
    const can = 'Notification' in window;
    nb.disabled = !can || Notification.permission === 'denied';
    nb.textContent = !can ? 'No notifications here' : Notification.permission === 'denied' ? 'Notifications blocked' : S.notify && Notification.permission === 'granted' ? 'Notifying ✓' : 'Notify me';
    nb.setAttribute('aria-pressed', String(S.notify && can && Notification.permission === 'granted'));
  };
  show();
  nb.addEventListener('click', async () => {
    if (S.notify) S.notify = false;
    else {
      const p = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
      S.notify = p === 'granted';
    }
    localStorage.setItem('lockstep.notify', S.notify ? '1' : '0');
    show();
  });
  $('back-live').addEventListener('click', backToLive);
  const slider = $('time-slider');
  slider.addEventListener('input', () => onSlider(false));
  slider.addEventListener('change', () => onSlider(true));
  $('history-more').addEventListener('click', () => void loadOlder());
  let filterTimer;
  $('board-filter').addEventListener('input', (e) => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      S.filter = e.target.value;
      for (const [k] of COLUMNS) S.limits[k] = PAGE;
      if (S.shown) renderBoard();
    }, 120);
  });
}

// ---------- the live channel ----------

function connect() {
  const es = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
  const live = $('live');
  es.addEventListener('open', () => {
    live.textContent = 'live';
    live.className = 'live on';
  });
  // The tip the page already shows (the one pushed at connect) needs no fetch; `clock` says the view
  // changed with time alone (a claim ran out, an agent died), so it is fetched again.
  es.addEventListener('tip', (e) => {
    const d = JSON.parse(e.data);
    if (d.clock || !S.live || d.tip !== S.live.tip) void refresh();
  });
  es.addEventListener('error', () => {
    live.textContent = es.readyState === EventSource.CLOSED ? 'disconnected (reload)' : 'reconnecting…';
    live.className = 'live off';
  });
}

function start() {
  setupChrome();
  setupKeys();
  setupDialog();
  const view = readHash();
  showView(view, { push: false });
  if (S.selectedCommit) void loadDiff(S.selectedCommit);
  setInterval(tick, 1000);
  void refresh();
  connect();
}

start();
