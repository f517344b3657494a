import { loadSession, signIn, signOut, onSessionLost, currentSession } from './api.js';
import { compilationList, compilationDetail } from './compilation.js';
import { notebookList, notebookDetail } from './notebooks.js';
import { trainingList, trainingDetail } from './training.js';
import { searchPage } from './search.js';
import { comparePage } from './compare.js';

const $ = (id) => document.getElementById(id);
let cleanups = [];

const routes = [
  [/^\/compilation$/, (v, c) => compilationList(v, c)],
  [/^\/compilation\/(.+)$/, (v, c, m) => compilationDetail(v, c, m[1])],
  [/^\/notebooks$/, (v, c) => notebookList(v, c)],
  [/^\/notebooks\/(.+)$/, (v, c, m) => notebookDetail(v, c, m[1])],
  [/^\/training$/, (v, c) => trainingList(v, c)],
  [/^\/training\/(.+)$/, (v, c, m) => trainingDetail(v, c, m[1])],
  [/^\/search$/, (v) => searchPage(v)],
  [/^\/compare$/, (v, c) => comparePage(v, c)],
];

function render() {
  cleanups.forEach((f) => f());
  cleanups = [];
  const view = $('view');
  if (!currentSession()) {
    view.replaceChildren();
    showSignIn(true);
    return;
  }
  showSignIn(false);
  const path = decodeURIComponent(location.hash.replace(/^#/, '')) || '/training';
  for (const a of document.querySelectorAll('#nav a')) {
    const here = path === a.getAttribute('href').slice(1) || path.startsWith(a.getAttribute('href').slice(1) + '/');
    if (here) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  for (const [re, show] of routes) {
    const m = path.match(re);
    if (m) {
      show(view, (f) => cleanups.push(f), m);
      const h1 = view.querySelector('h1');
      document.title = (h1 ? h1.textContent + ' · ' : '') + 'Sagebrush console';
      return;
    }
  }
  location.hash = '#/training';
}

function showSignIn(show) {
  $('sign-in').hidden = !show;
  $('nav').hidden = show;
  $('who').hidden = show;
  if (show) {
    $('access-key-id').focus();
  } else {
    const s = currentSession();
    $('who-account').textContent = 'Account ' + s.accountId + ' · ' + s.region;
  }
}

$('sign-in-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const err = $('sign-in-error');
  err.textContent = '';
  const secret = $('secret-access-key');
  try {
    await signIn($('access-key-id').value.trim(), secret.value, $('region').value.trim());
    secret.value = ''; // the secret leaves the page as soon as it has been checked
    render();
    $('main').focus();
  } catch (e) {
    err.textContent = e.message;
    secret.focus();
  }
});

$('sign-out').addEventListener('click', async () => {
  await signOut();
  location.hash = '';
  render();
});

onSessionLost(() => render());
window.addEventListener('hashchange', () => { render(); $('main').focus({ preventScroll: true }); });
loadSession().then(render);
