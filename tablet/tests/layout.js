// The page rules the tablet's and the clinic's pages keep, checked in a browser page (Playwright's
// or webkit.js's): every visible control named and at least 48 x 48 px, WCAG 2.1 AA contrast, no
// motion faster than a gentle fade.
'use strict';

// What breaks the page's promises where it is shown now: a control with no accessible name or a
// touch target under 48 x 48 px, text under WCAG 2.1 AA contrast, anything animating faster than
// a gentle fade.
function layoutProblems(page) {
  return page.evaluate(() => {
    const out = [];
    // Every visible control: an accessible name and a touch target of at least 48 x 48 px.
    for (const el of document.querySelectorAll('button, select, input')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const name = el.getAttribute('aria-label') || el.textContent.trim() || (el.labels && el.labels[0] && el.labels[0].textContent.trim());
      if (!name) out.push('no accessible name: ' + el.outerHTML.slice(0, 80));
      if (box.width < 48 || box.height < 48) out.push('target ' + Math.round(box.width) + 'x' + Math.round(box.height) + ': ' + (el.id || name));
    }
    // Text contrast against the background it sits on (WCAG 2.1 AA: 4.5:1, large text 3:1).
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) =>
      [r, g, b]
        .map((v) => v / 255)
        .map((v) => (v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4)))
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('#timeline, #preview-chart')) continue; // the charts' own legends are uPlot's
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      const box = el.getBoundingClientRect();
      if (!own || box.width === 0 || el.closest('[hidden]') || el.closest('button:disabled')) continue;
      const style = getComputedStyle(el);
      const fg = lum(rgb(style.color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) out.push('contrast ' + ratio.toFixed(2) + ': ' + el.textContent.trim().slice(0, 40));
    }
    // Nothing moves faster than a gentle fade.
    for (const a of document.getAnimations()) {
      const timing = a.effect && a.effect.getComputedTiming();
      if (timing && timing.duration < 500) out.push('a ' + timing.duration + ' ms animation');
    }
    return out;
  });
}

module.exports = { layoutProblems };
