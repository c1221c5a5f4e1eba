// Safari's engine for the browser tests: WebKitGTK's MiniBrowser (Debian webkit2gtk-driver)
// driven through WebKitWebDriver (W3C WebDriver over HTTP) under Xvfb, behind the few
// Playwright page and locator calls browser.test.js makes, so each test reads the same on both
// engines. Where WebDriver cannot do what Playwright does (an init script, a page's own errors
// from before it loaded), the difference is said here and in docs/tablet.md.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { freePorts, until, accepts } = require('./room.js');

const MINIBROWSER = process.env.SENSORYD_MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'; // WebDriver's key for an element reference
const AUTO_WAIT_MS = 10000; // as Playwright's actions wait for their element

// Xvfb and WebKitWebDriver, started once for the test file; `session()` opens a browser.
async function launchWebKit() {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1600x1400x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
  });
  const display = await new Promise((resolve, reject) => {
    let said = '';
    xvfb.stdio[3].on('data', (d) => {
      said += d;
      if (said.includes('\n')) resolve(':' + said.trim());
    });
    xvfb.once('exit', (code) => reject(new Error('Xvfb exited (' + code + ') before it gave a display')));
  });
  const port = await freePorts(0);
  const driver = spawn('WebKitWebDriver', ['--port=' + port, '--host=127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    // A tablet's language: WebKit takes navigator.language from the locale, and a machine's
    // "C" is no language tag (uPlot's Intl.NumberFormat refuses it: no charts). Without that
    // locale installed GTK says "Locale not supported by C library" and goes on; the language
    // is still en-US.
    env: { ...process.env, DISPLAY: display, LANG: 'en_US.UTF-8' },
  });
  await until(() => accepts(port), 15000, 'WebKitWebDriver', driver);
  const base = 'http://127.0.0.1:' + port;
  return {
    // A browser of its own (MiniBrowser keeps each session's storage apart), trusting
    // `certificates` ([{ host, certificateFile }]) as a tablet trusts the room's CA.
    async newContext({ viewport, certificates = [] }) {
      const created = await call(base, 'POST', '/session', {
        capabilities: {
          alwaysMatch: {
            browserName: 'MiniBrowser',
            'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'], certificates },
          },
        },
      });
      return new Context(base + '/session/' + created.sessionId, viewport);
    },
    async close() {
      driver.kill();
      xvfb.kill();
    },
  };
}

async function call(base, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) {
    const error = new Error('WebDriver ' + method + ' ' + path + ': ' + answer.value.error + ': ' + answer.value.message);
    error.webdriver = answer.value.error;
    throw error;
  }
  return answer.value;
}

// One WebDriver session: its windows are the pages.
class Context {
  constructor(session, viewport) {
    this.session = session;
    this.viewport = viewport;
    this.current = null;
  }

  call(method, path, body) {
    return call(this.session, method, path, body);
  }

  async newPage() {
    const handle = this.current === null ? await this.call('GET', '/window') : (await this.call('POST', '/window/new', { type: 'tab' })).handle;
    const page = new Page(this, handle);
    await page.focus();
    if (this.viewport) await page.setViewportSize(this.viewport);
    return page;
  }

  async addInitScript() {
    throw new Error('WebDriver runs no script before the page: this test is for Chromium only');
  }

  async close() {
    await this.call('DELETE', '').catch(() => {});
  }
}

// The page's own errors, caught from its load on (WebDriver has no earlier hook): read and
// cleared by `Page.errors()`.
const WATCH_ERRORS = `
  if (!window.__sensorydErrors) {
    window.__sensorydErrors = [];
    window.addEventListener('error', (e) => window.__sensorydErrors.push(e.message + ' (' + e.filename + ':' + e.lineno + ')'));
    window.addEventListener('unhandledrejection', (e) =>
      window.__sensorydErrors.push('unhandled rejection: ' + e.reason + (e.reason && e.reason.stack ? ' at ' + e.reason.stack : '')));
  }`;

class Page {
  constructor(context, handle) {
    this.ctx = context;
    this.handle = handle;
  }

  async focus() {
    if (this.ctx.current !== this.handle) {
      await this.ctx.call('POST', '/window', { handle: this.handle });
      this.ctx.current = this.handle;
    }
  }

  async call(method, path, body) {
    await this.focus();
    return this.ctx.call(method, path, body);
  }

  context() {
    return this.ctx;
  }

  async goto(url) {
    await this.call('POST', '/url', { url });
    await this.script(WATCH_ERRORS);
  }

  async reload() {
    await this.call('POST', '/refresh', {});
    await this.script(WATCH_ERRORS);
  }

  async url() {
    return this.call('GET', '/url');
  }

  async errors() {
    return (await this.script('const e = window.__sensorydErrors || []; window.__sensorydErrors = []; return e;')) || [];
  }

  // Runs `body` (a function body) with `args`; a promise it returns is waited for.
  async script(body, args = []) {
    const wrapped = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (function () { ${body} }).apply(null, Array.from(arguments).slice(0, -1)))
        .then((value) => done({ value }), (e) => done({ thrown: String(e) + (e && e.stack ? ' at ' + e.stack : '') }));`;
    const out = await this.call('POST', '/execute/async', { script: wrapped, args });
    if (out && out.thrown) throw new Error('in the page: ' + out.thrown);
    return out ? out.value : undefined;
  }

  evaluate(fn, arg) {
    return this.script('return (' + fn + ')(arguments[0]);', [arg === undefined ? null : arg]);
  }

  // The window is sized so that the page's own viewport is `width` x `height` (MiniBrowser's
  // toolbar takes some of the window).
  async setViewportSize({ width, height }) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const [innerWidth, innerHeight] = await this.script('return [innerWidth, innerHeight];');
      if (innerWidth === width && innerHeight === height) return;
      const rect = await this.call('GET', '/window/rect');
      await this.call('POST', '/window/rect', { width: rect.width + width - innerWidth, height: rect.height + height - innerHeight });
    }
    const [w, h] = await this.script('return [innerWidth, innerHeight];');
    if (w !== width || h !== height) throw new Error('the viewport stays ' + w + 'x' + h + ', not ' + width + 'x' + height);
  }

  // The viewport, whatever `fullPage` asks: WebKitGTK's element screenshot draws only what is
  // on screen and leaves the rest black.
  async screenshot({ path: file }) {
    fs.writeFileSync(file, Buffer.from(await this.call('GET', '/screenshot'), 'base64'));
  }

  async close() {
    await this.call('DELETE', '/window');
    this.ctx.current = null;
  }

  on(event) {
    throw new Error('WebDriver sends no "' + event + '" events: read Page.errors() instead');
  }

  locator(css) {
    return new Locator(this, [{ css }]);
  }

  fill(css, value) {
    return this.locator(css).fill(value);
  }

  getByRole(role, { name, exact = false, includeHidden = false } = {}) {
    return new Locator(this, [{ role, name, exact, includeHidden }]);
  }

  getByLabel(label, { exact = false } = {}) {
    return new Locator(this, [{ label, exact }]);
  }
}

// Finds, in the page, the elements a chain of steps names: CSS, or a role and accessible name,
// or a label, as Playwright's locators do (names compared with whitespace collapsed; exact or
// else case-insensitive containment; hidden elements left out of roles unless asked).
const FIND = `
  const collapse = (s) => (s || '').replace(/\\s+/g, ' ').trim();
  const matches = (have, want, exact) => exact ? collapse(have) === collapse(want) : collapse(have).toLowerCase().includes(collapse(want).toLowerCase());
  const hidden = (el) => {
    for (let e = el; e; e = e.parentElement) if (e.getAttribute && e.getAttribute('aria-hidden') === 'true') return true;
    return el.getClientRects().length === 0 || getComputedStyle(el).visibility === 'hidden';
  };
  const byIds = (ids) => ids.split(/\\s+/).map((id) => document.getElementById(id)).filter(Boolean).map((e) => e.textContent).join(' ');
  const labelOf = (el) => el.labels ? [...el.labels].map((l) => l.textContent).join(' ') : '';
  const nameOf = (el) => {
    if (el.getAttribute('aria-labelledby')) return byIds(el.getAttribute('aria-labelledby'));
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
    const label = labelOf(el);
    if (label) return label;
    if (el.matches('input[type=button], input[type=submit], input[type=reset]')) return el.value;
    if (el.matches('button, a, [role=button], [role=tab], [role=option], li, summary, legend')) return el.textContent;
    return el.getAttribute('title') || '';
  };
  const ROLES = {
    button: 'button, input[type=button], input[type=submit], input[type=reset], [role=button]',
    dialog: 'dialog, [role=dialog]',
    checkbox: 'input[type=checkbox], [role=checkbox]',
    combobox: 'select, [role=combobox]',
    textbox: 'textarea, input:not([type]), input[type=text], input[type=password], [role=textbox]',
    link: 'a[href], [role=link]',
  };
  const step = (roots, s) => {
    const out = [];
    for (const root of roots) {
      if (s.css) out.push(...root.querySelectorAll(s.css));
      else if (s.role) {
        for (const el of root.querySelectorAll(ROLES[s.role] || '[role=' + s.role + ']')) {
          if (!s.includeHidden && hidden(el)) continue;
          if (s.name === undefined || matches(nameOf(el), s.name, s.exact)) out.push(el);
        }
      } else {
        for (const el of root.querySelectorAll('input, select, textarea, [aria-label], [aria-labelledby]')) {
          const label = el.getAttribute('aria-labelledby') ? byIds(el.getAttribute('aria-labelledby')) : el.getAttribute('aria-label') || labelOf(el);
          if (matches(label, s.label, s.exact)) out.push(el);
        }
      }
    }
    return [...new Set(out)];
  };
  const found = arguments[0].reduce(step, [document]);`;

const visible = `const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';`;

class Locator {
  constructor(page, steps) {
    this.page = page;
    this.steps = steps;
  }

  locator(css) {
    return new Locator(this.page, [...this.steps, { css }]);
  }

  toString() {
    return JSON.stringify(this.steps);
  }

  // Runs `body` with `found` (the elements) in scope; its result comes back.
  run(body, arg = null) {
    return this.page.script(FIND + visible + body, [this.steps, arg]);
  }

  async count() {
    return this.run('return found.length;');
  }

  // The one element, waited for (Playwright's strictness: two are an error, not a choice).
  async one(ready = '() => true') {
    let last = 'no element';
    const deadline = Date.now() + AUTO_WAIT_MS;
    for (;;) {
      const [n, ok] = await this.run('return [found.length, found.length === 1 && (' + ready + ')(found[0])];');
      if (n > 1) throw new Error('strict mode: ' + n + ' elements match ' + this);
      if (ok) return;
      last = n === 0 ? 'no element' : 'not ready (' + ready + ')';
      if (Date.now() > deadline) throw new Error('timed out after ' + AUTO_WAIT_MS + ' ms waiting for ' + this + ': ' + last);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async reference() {
    await this.one();
    return (await this.run('return found[0];'))[ELEMENT];
  }

  async isVisible() {
    const [n, shownNow] = await this.run('return [found.length, found.length === 1 && shown(found[0])];');
    if (n > 1) throw new Error('strict mode: ' + n + ' elements match ' + this);
    return shownNow;
  }

  async isDisabled() {
    await this.one();
    return this.run('return found[0].disabled === true || found[0].getAttribute("aria-disabled") === "true";');
  }

  async isEnabled() {
    return !(await this.isDisabled());
  }

  async textContent() {
    await this.one();
    return this.run('return found[0].textContent;');
  }

  async allTextContents() {
    return this.run('return found.map((e) => e.textContent);');
  }

  async inputValue() {
    await this.one();
    return this.run('return found[0].value;');
  }

  async getAttribute(name) {
    await this.one();
    return this.run('return found[0].getAttribute(arguments[1]);', name);
  }

  async evaluate(fn) {
    await this.one();
    return this.run('return (' + fn + ')(found[0]);');
  }

  async evaluateAll(fn) {
    return this.run('return (' + fn + ')(found);');
  }

  async dispatchEvent(type) {
    await this.one();
    await this.run('found[0].dispatchEvent(new Event(arguments[1], { bubbles: true }));', type);
  }

  async boundingBox() {
    await this.one();
    return this.run('const r = found[0].getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height };');
  }

  async scrollIntoViewIfNeeded() {
    await this.one();
    await this.run('found[0].scrollIntoView({ block: "center" });');
  }

  // A real click through WebDriver (the engine's own hit test and events), on a visible and
  // enabled element. When something fixed (the E-stop bar) covers it where WebDriver scrolled it,
  // it is brought to the middle of the screen and clicked again.
  async click() {
    await this.one('(el) => shown(el) && !el.disabled');
    const id = await this.reference();
    try {
      await this.page.call('POST', '/element/' + id + '/click', {});
    } catch (e) {
      if (e.webdriver !== 'element click intercepted') throw e;
      await this.run('found[0].scrollIntoView({ block: "center" });');
      await this.page.call('POST', '/element/' + id + '/click', {});
    }
  }

  // Typed, key by key, into an emptied field, as WebDriver types.
  async fill(value) {
    await this.one('(el) => shown(el) && !el.disabled');
    const id = await this.reference();
    await this.page.call('POST', '/element/' + id + '/clear', {});
    if (value !== '') await this.page.call('POST', '/element/' + id + '/value', { text: value });
  }

  // As Playwright chooses an option (waited for: the page may not have it yet): set, then the
  // input and change events.
  async selectOption(value) {
    const has = '(el) => shown(el) && !el.disabled && [...el.options].some((o) => o.value === ' + JSON.stringify(value) + ' || o.label === ' + JSON.stringify(value) + ')';
    await this.one(has).catch((e) => {
      throw new Error('no option ' + value + ' in ' + this + ': ' + e.message);
    });
    const chosen = await this.run(
      `const select = found[0];
       const option = [...select.options].find((o) => o.value === arguments[1] || o.label === arguments[1]);
       if (!option) return false;
       select.value = option.value;
       select.dispatchEvent(new Event('input', { bubbles: true }));
       select.dispatchEvent(new Event('change', { bubbles: true }));
       return true;`,
      value,
    );
    if (!chosen) throw new Error('no option ' + value + ' in ' + this);
  }

  // The viewport with the element's top at the top (see Page.screenshot).
  async screenshot({ path: file }) {
    await this.one();
    await this.run('found[0].scrollIntoView({ block: "start" });');
    await this.page.screenshot({ path: file });
  }
}

module.exports = { launchWebKit };
