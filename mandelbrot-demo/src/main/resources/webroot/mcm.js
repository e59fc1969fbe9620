// The mcm page: an explorer of the Mandelbrot set. Three parts, kept apart:
// - the view model: a view is {cr, ci, crpm, values} (the centre, the real half-width asked for, the iteration
//   budget); its URL form (the permalink's query) and where it lies in an image of a given size are here only;
// - navigation: the history (pushState, popstate) and the input handlers (click, wheel, drag, shift-drag, keys, the
//   form and its buttons), which make a new view from the current one;
// - drawing: the view as the server's tiles (img elements placed by a CSS transform), fetched by priority, the
//   zoom box and the status line.
(function () {
  'use strict';

  // ---- The view model ----

  var DEFAULT = Object.freeze({ cr: -0.63, ci: 0, crpm: 1.4, values: 2000 });
  // Every view asks for a region of this shape: the default's, 1.4 by 1.2.
  var ASPECT = 1.2 / 1.4;
  // The server's limits (MandelbrotServer, ViewSpec): width, height and iteration budget.
  var MIN_WIDTH = 240, MAX_WIDTH = 10000, MIN_HEIGHT = 120, MAX_HEIGHT = 10000;
  var MIN_VALUES = 2, MAX_VALUES = 100000;
  var MIN_SPAN = 1e-15, MAX_SPAN = 3, MAX_CENTRE = 3;
  var HD_WIDTH = 2048;

  function clamp(x, lo, hi) { return Math.max(lo, Math.min(hi, x)); }

  function numberOr(s, fallback) {
    var x = parseFloat(s);
    return isFinite(x) ? x : fallback;
  }

  /**
   * Where a view lies in an image of size.w x size.h pixels: the whole region it asks for (crpm by crpm * ASPECT)
   * shows, the span that needs more room fills the image and the other is widened, so that pixels stay square.
   * crpm and cipm are the half-spans the server is sent; px and py the distance between pixel centres.
   */
  function fit(view, size) {
    var w = size.w, h = size.h;
    // The server makes the image floor(w * cipm / crpm) rows high: a quarter of a row more keeps that h.
    var shape = (h + 0.25) / w;
    var crpm = Math.max(view.crpm, view.crpm * ASPECT / shape);
    var cipm = crpm * shape;
    return { cr: view.cr, ci: view.ci, crpm: crpm, cipm: cipm, values: view.values, w: w, h: h,
      px: 2 * crpm / (w - 1), py: 2 * cipm / (h - 1) };
  }

  /** The complex point at (x, y), in pixels from the image's top-left corner. */
  function pointAt(g, x, y) {
    return { re: g.cr + (x - g.w / 2) * g.px, im: g.ci - (y - g.h / 2) * g.py };
  }

  /** Digits after the point that tell neighbouring pixels apart (to a tenth of a pixel). */
  function digitsFor(pitch) {
    return clamp(Math.ceil(-Math.log10(pitch)) + 1, 1, 17);
  }

  function roundTo(x, digits) {
    var r = Number(x.toFixed(digits));
    return r === 0 ? 0 : r; // not -0
  }

  /** The view clamped to what the server renders, its centre rounded to the pixel, its span to 6 digits. */
  function normalise(v, size) {
    var values = Math.round(clamp(numberOr(v.values, DEFAULT.values), MIN_VALUES, MAX_VALUES));
    var crpm = Number(clamp(numberOr(v.crpm, DEFAULT.crpm), MIN_SPAN, MAX_SPAN).toPrecision(6));
    var g = fit({ cr: 0, ci: 0, crpm: crpm, values: values }, size);
    var digits = digitsFor(Math.min(g.px, g.py));
    return { cr: roundTo(clamp(numberOr(v.cr, DEFAULT.cr), -MAX_CENTRE, MAX_CENTRE), digits),
      ci: roundTo(clamp(numberOr(v.ci, DEFAULT.ci), -MAX_CENTRE, MAX_CENTRE), digits),
      crpm: crpm, values: values };
  }

  function sameView(a, b) {
    return a.cr === b.cr && a.ci === b.ci && a.crpm === b.crpm && a.values === b.values;
  }

  /** The permalink's query. */
  function toQuery(v) {
    return '?cr=' + v.cr + '&ci=' + v.ci + '&crpm=' + v.crpm + '&values=' + v.values;
  }

  /** A view from a query; what is missing or unreadable is the default's. */
  function fromQuery(search) {
    var q = new URLSearchParams(search);
    return { cr: numberOr(q.get('cr'), DEFAULT.cr), ci: numberOr(q.get('ci'), DEFAULT.ci),
      crpm: numberOr(q.get('crpm'), DEFAULT.crpm), values: numberOr(q.get('values'), DEFAULT.values) };
  }

  /** The image request for a placed view, width pixels wide (the height follows from cipm). */
  function imageUrl(g, width) {
    return 'image.png?N=' + width + '&cr=' + g.cr + '&ci=' + g.ci + '&crpm=' + g.crpm + '&cipm=' + g.cipm
        + '&values=' + g.values;
  }

  /** The view zoomed by factor (below 1 is in) about (x, y): the point there stays there. */
  function zoomedAbout(v, size, x, y, factor) {
    var z = pointAt(fit(v, size), x, y);
    var crpm = clamp(v.crpm * factor, MIN_SPAN, MAX_SPAN);
    var g = fit({ cr: 0, ci: 0, crpm: crpm, values: v.values }, size);
    return { cr: z.re - (x - g.w / 2) * g.px, ci: z.im + (y - g.h / 2) * g.py, crpm: crpm, values: v.values };
  }

  /** The view zoomed by factor, centred on the point at (x, y). */
  function zoomedOnto(v, size, x, y, factor) {
    var z = pointAt(fit(v, size), x, y);
    return { cr: z.re, ci: z.im, crpm: v.crpm * factor, values: v.values };
  }

  /** The view moved so that the point at (0, 0) is at (dx, dy). */
  function panned(v, size, dx, dy) {
    var g = fit(v, size);
    return { cr: v.cr - dx * g.px, ci: v.ci + dy * g.py, crpm: v.crpm, values: v.values };
  }

  /** The view that shows the box from (x0, y0) to (x1, y1) whole, centred on it. */
  function boxed(v, size, x0, y0, x1, y1) {
    var g = fit(v, size);
    var z = pointAt(g, (x0 + x1) / 2, (y0 + y1) / 2);
    var halfWidth = Math.abs(x1 - x0) / 2 * g.px, halfHeight = Math.abs(y1 - y0) / 2 * g.py;
    return { cr: z.re, ci: z.im, crpm: Math.max(halfWidth, halfHeight / ASPECT), values: v.values };
  }

  // ---- Navigation ----

  var CLICK_ZOOM = 5, KEY_ZOOM = 2;
  var CLICK_SLOP = 4;              // a press and release that moved less (in pixels) is a click
  var WHEEL_SETTLE_MS = 300;       // a wheel turn is over when it has been still this long
  var WHEEL_RATE = 0.002, PINCH_RATE = 0.01;  // zoom per pixel of deltaY: e^(rate * deltaY)
  var frame = document.getElementById('frame');
  var fields = { cr: document.getElementById('cr'), ci: document.getElementById('ci'),
    crpm: document.getElementById('crpm'), values: document.getElementById('values') };
  var view;                        // the view shown; the page's URL is its permalink
  var turning = null;              // the view a wheel turn under way has reached, not yet committed
  var wheelTimer = 0;
  var press = null;                // a pointer held down on the image: {id, x0, y0, box, moved}

  /** Makes v the view: a new history entry (unless it is the view already), the fields, the status, the image. */
  function go(v) {
    endWheel();
    v = normalise(v, imageSize());
    var query = toQuery(v);
    if (window.location.search !== query) {
      window.history.pushState(null, '', query);
    }
    view = v;
    show();
  }

  function show() {
    var g = fit(view, imageSize());
    fillFields(view);
    showStatus(view, g);
    drawView(g);
  }

  function current() { return turning || view; }

  /** Back or Forward: the view is the URL's. */
  function onPopState() {
    cancelGestures();
    view = normalise(fromQuery(window.location.search), imageSize());
    show();
  }

  function endWheel() {
    clearTimeout(wheelTimer);
    wheelTimer = 0;
    turning = null;
  }

  function commitWheel() {
    var v = turning;
    endWheel();
    if (v) { go(v); }
  }

  function cancelGestures() {
    endWheel();
    press = null;
    hideBox();
    frame.classList.remove('dragging');
  }

  function pointIn(e) {
    var r = frame.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  function wheelPixels(e) {
    var scale = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 800 : 1;
    return clamp(e.deltaY * scale, -400, 400);
  }

  /** Wheel and pinch (a wheel event with ctrlKey in Chromium): zoom about the pointer, drawn when the turn ends. */
  function onWheel(e) {
    e.preventDefault();
    if (press) { return; }
    var p = pointIn(e);
    var factor = Math.exp(wheelPixels(e) * (e.ctrlKey ? PINCH_RATE : WHEEL_RATE));
    turning = zoomedAbout(current(), imageSize(), p.x, p.y, factor);
    previewView(fit(turning, imageSize()));
    clearTimeout(wheelTimer);
    wheelTimer = setTimeout(commitWheel, WHEEL_SETTLE_MS);
  }

  function onPointerDown(e) {
    if (e.button !== 0 || press) { return; }
    e.preventDefault();
    blurTyping();
    commitWheel();
    frame.setPointerCapture(e.pointerId);
    var p = pointIn(e);
    press = { id: e.pointerId, x0: p.x, y0: p.y, box: e.shiftKey, moved: false };
  }

  function onPointerMove(e) {
    if (!press || e.pointerId !== press.id) { return; }
    var p = pointIn(e);
    if (!press.moved && Math.hypot(p.x - press.x0, p.y - press.y0) < CLICK_SLOP) { return; }
    press.moved = true;
    if (press.box) {
      drawBox(press.x0, press.y0, p.x, p.y);
    } else {
      frame.classList.add('dragging');
      previewView(fit(panned(view, imageSize(), p.x - press.x0, p.y - press.y0), imageSize()));
    }
  }

  /** The end of a press: a click zooms in on its point, a drag pans, a shift-drag zooms to its box. */
  function onPointerUp(e) {
    if (!press || e.pointerId !== press.id) { return; }
    var p = pointIn(e), was = press;
    cancelGestures();
    if (!was.moved) {
      go(zoomedOnto(view, imageSize(), p.x, p.y, 1 / CLICK_ZOOM));
    } else if (was.box) {
      go(boxed(view, imageSize(), was.x0, was.y0, p.x, p.y));
    } else {
      go(panned(view, imageSize(), p.x - was.x0, p.y - was.y0));
    }
  }

  function onPointerCancel(e) {
    if (!press || e.pointerId !== press.id) { return; }
    cancelGestures();
    previewView(fit(view, imageSize()));
  }

  function isTyping(el) {
    return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT'
        || el.isContentEditable);
  }

  function blurTyping() {
    if (isTyping(document.activeElement)) { document.activeElement.blur(); }
  }

  /** + or = zoom in 2x, - zoom out 2x, the arrows pan by a quarter of the view, 0 or r reset. */
  function onKeyDown(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target) || press) { return; }
    var size = imageSize(), v = current(), g = fit(v, size), next;
    switch (e.key) {
      case '+': case '=': next = zoomedAbout(v, size, g.w / 2, g.h / 2, 1 / KEY_ZOOM); break;
      case '-': case '_': next = zoomedAbout(v, size, g.w / 2, g.h / 2, KEY_ZOOM); break;
      case 'ArrowLeft': next = panned(v, size, g.w / 4, 0); break;
      case 'ArrowRight': next = panned(v, size, -g.w / 4, 0); break;
      case 'ArrowUp': next = panned(v, size, 0, g.h / 4); break;
      case 'ArrowDown': next = panned(v, size, 0, -g.h / 4); break;
      case '0': case 'r': case 'R': next = DEFAULT; break;
      default: return;
    }
    e.preventDefault();
    go(next);
  }

  function fillFields(v) {
    fields.cr.value = String(v.cr);
    fields.ci.value = String(v.ci);
    fields.crpm.value = String(v.crpm);
    fields.values.value = String(v.values);
  }

  function onSubmit(e) {
    e.preventDefault();
    var v = current();
    go({ cr: numberOr(fields.cr.value, v.cr), ci: numberOr(fields.ci.value, v.ci),
      crpm: numberOr(fields.crpm.value, v.crpm), values: numberOr(fields.values.value, v.values) });
  }

  var resizeTimer = 0;
  function onResize() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      cancelGestures();
      show();
    }, 200);
  }

  // ---- Drawing: the view as tiles ----
  //
  // The server's tiles (GET /tile/{z}/{x}/{y}.png, TileHandler) are a fixed grid. At level z a tile spans
  // S = 4 / 2^z; its 256 pixel centres are S / 255 apart, from -2.5 + x S to -2.5 + (x + 1) S, so that tile x's
  // last column is tile x + 1's first. Laid side by side 255 pixels apart, the tiles of a level are one image whose
  // pixel u is centred at -2.5 + u S / 255 (and row v at 2 - v S / 255); each tile is placed on screen by a CSS
  // transform from there to the view shown, overlapping its neighbour by the pixel they share, so no seam shows.
  //
  // A view wants the tiles of the level whose pixels are nearest its own (drawn at 0.71x to 1.41x) that it covers,
  // at priority p = 1 + their distance from its centre in tiles (the server makes p the rows' niceness), and a ring
  // around them as prefetch at p = 18. Until they are all there, a coarse preview, the tiles two levels up (a
  // sixteenth of the pixels) at p = 0, shows under them, with the tiles of the view before that still overlap it.
  // At most MAX_IN_FLIGHT tiles are fetched at once, the most wanted first; a tile no longer wanted is dropped, and
  // its fetch, if under way, aborted: the server then takes its queued rows off the queue. Tiles that leave the
  // screen are kept (KEEP_TILES, least recently used out), so Back and a return to a view draw at once.

  var DRAW_SETTLE_MS = 120;        // tiles are asked for once a view has been still this long
  var TILE = 256, STRIDE = TILE - 1, MAX_LEVEL = 44;
  var COARSE_LEVELS = 2;
  var P_COARSE = 0, P_VIEW_MAX = 15, P_PREFETCH = 18;
  // a browser opens 6 connections to a host over HTTP/1.1, and the queue's event stream holds one
  var MAX_IN_FLIGHT = 5;
  var KEEP_TILES = 256;
  // A tile refused (429: the server's tiles per address are taken, by other pages too) is asked for again after
  // Retry-After, doubled on each refusal up to MAX_BACKOFF_MS, and this page fetches one fewer at a time until one
  // succeeds. It fails only if the server says it cannot be done.
  var MAX_BACKOFF_MS = 8000;
  // this page's series on the server's queue: two pages share the workers fairly, whatever their address
  var CLIENT = 'page-' + Math.random().toString(36).slice(2, 12);
  var boxEl = document.getElementById('box');
  var status = { scale: document.getElementById('scale'), centre: document.getElementById('centre'),
    permalink: document.getElementById('permalink'), hd: document.getElementById('hd'),
    loading: document.getElementById('loading'), error: document.getElementById('error') };
  var tiles = new Map();           // key: the tiles on screen or wanted
  var kept = new Map();            // key: loaded tiles off screen, least recently used first
  var plan = null;                 // the view drawn: {g, z, fine: [tile], wanted: Set of keys}
  var onScreen = null;             // the placed view the tiles are drawn for (a gesture's, while one is under way)
  var settling = false;            // a view is waiting to settle: the state is its own
  var inFlight = 0, serial = 0;
  var limit = MAX_IN_FLIGHT;       // fetches at once: lowered by a 429, raised again by each tile that comes
  var drawTimer = 0, retryTimer = 0, tickTimer = 0, loadStarted = 0;

  /** The image's size in pixels: the frame's, within the server's limits. */
  function imageSize() {
    return { w: clamp(Math.floor(frame.clientWidth), MIN_WIDTH, MAX_WIDTH),
      h: clamp(Math.floor(frame.clientHeight), MIN_HEIGHT, MAX_HEIGHT) };
  }

  function span(z) { return 4 / Math.pow(2, z); }

  /** The level whose pixels are nearest (in scale) the placed view's. */
  function levelFor(g) {
    return clamp(Math.round(Math.log2(4 / (STRIDE * Math.min(g.px, g.py)))), 0, MAX_LEVEL);
  }

  /**
   * Calls f(x, y, d) for the tiles of level z that cover the placed view g, widened by ring tiles on every side
   * (clipped to the grid); d is the distance from g's centre to the tile's, in tiles.
   */
  function eachTile(g, z, ring, f) {
    var s = span(z), last = Math.pow(2, z) - 1;
    var halfW = g.w / 2 * g.px, halfH = g.h / 2 * g.py;
    var x0 = Math.max(0, Math.floor((g.cr - halfW + 2.5) / s) - ring);
    var x1 = Math.min(last, Math.floor((g.cr + halfW + 2.5) / s) + ring);
    var y0 = Math.max(0, Math.floor((2 - g.ci - halfH) / s) - ring);
    var y1 = Math.min(last, Math.floor((2 - g.ci + halfH) / s) + ring);
    for (var y = y0; y <= y1; y++) {
      for (var x = x0; x <= x1; x++) {
        f(x, y, Math.hypot((-2.5 + (x + 0.5) * s - g.cr) / s, (2 - (y + 0.5) * s - g.ci) / s));
      }
    }
  }

  function keyOf(z, x, y, values) { return z + '/' + x + '/' + y + '@' + values; }

  /** The tile of this key, wanted at priority p: the one there is, one kept, or a new one to fetch. */
  function want(z, x, y, values, p) {
    var key = keyOf(z, x, y, values);
    var t = tiles.get(key);
    if (!t && kept.has(key)) {
      t = kept.get(key);
      kept.delete(key);
      t.from = 'page';
      t.el.dataset.from = 'page';
      tiles.set(key, t);
      frame.insertBefore(t.el, boxEl);
    }
    if (!t) {
      t = { key: key, z: z, x: x, y: y, values: values, p: p, state: 'queued', el: null, url: null, abort: null,
        from: '', error: '', retries: 0, notBefore: 0, serial: serial++ };
      tiles.set(key, t);
    }
    if (t.state === 'failed') { // asked for again: another try
      t.state = 'queued';
      t.retries = 0;
      t.notBefore = 0;
    }
    if (t.state === 'loaded' && t.from !== 'page') { // on screen already: this view has it from the page
      t.from = 'page';
      t.el.dataset.from = 'page';
    }
    t.p = p;
    plan.wanted.add(key);
    return t;
  }

  /** Shows the placed view g: the tiles there are moved and scaled to it at once, its own tiles shortly. */
  function drawView(g) {
    previewView(g);
    ['cr', 'ci', 'crpm', 'cipm', 'values', 'w', 'h'].forEach(function (k) { frame.dataset[k] = String(g[k]); });
    frame.dataset.view = [g.cr, g.ci, g.crpm, g.cipm, g.values, g.w, g.h].join(' ');
    clearTimeout(drawTimer);
    loadStarted = Date.now();
    settling = true;
    setState('waiting');
    drawTimer = setTimeout(function () { drawTiles(g); }, plan ? DRAW_SETTLE_MS : 0);
  }

  /** Wants the tiles of the placed view g and drops the rest. */
  function drawTiles(g) {
    var z = levelFor(g);
    settling = false;
    plan = { g: g, z: z, fine: [], wanted: new Set() };
    frame.dataset.z = String(z);
    eachTile(g, z, 0, function (x, y, d) {
      plan.fine.push(want(z, x, y, g.values, Math.min(P_VIEW_MAX, 1 + Math.floor(d))));
    });
    eachTile(g, z, 1, function (x, y) {
      if (!plan.wanted.has(keyOf(z, x, y, g.values))) { want(z, x, y, g.values, P_PREFETCH); }
    });
    if (!complete() && z >= COARSE_LEVELS) {
      eachTile(g, z - COARSE_LEVELS, 0, function (x, y) { want(z - COARSE_LEVELS, x, y, g.values, P_COARSE); });
    }
    setState('loading');
    progress();
  }

  /** Whether every tile the view shows is there. */
  function complete() {
    return plan.fine.every(function (t) { return t.state === 'loaded'; });
  }

  /**
   * Drops the tiles not wanted. Those loaded stay on screen, under the wanted ones, while they overlap the view
   * and it is not complete; then they are kept off screen.
   */
  function tidy() {
    var done = complete();
    tiles.forEach(function (t) {
      if (plan.wanted.has(t.key) && (t.z === plan.z || !done)) {
        return; // the coarse preview goes once the view is complete
      }
      if (t.state === 'loaded' && !done && overlaps(t, plan.g)) {
        return; // a stand-in
      }
      drop(t);
    });
    tiles.forEach(function (t) { if (t.el) { placeTile(t, onScreen); } });
  }

  /** Takes a tile off screen: a loaded one is kept, one being fetched is aborted. */
  function drop(t) {
    tiles.delete(t.key);
    if (t.state === 'loading') {
      t.abort.abort();
      inFlight--;
    }
    if (t.state === 'loaded') {
      t.el.remove();
      kept.delete(t.key);
      kept.set(t.key, t);
      while (kept.size > KEEP_TILES) {
        var oldest = kept.values().next().value;
        kept.delete(oldest.key);
        URL.revokeObjectURL(oldest.url);
      }
    } else {
      t.state = 'dropped';
    }
  }

  function overlaps(t, g) {
    var s = span(t.z), x = -2.5 + t.x * s, y = 2 - t.y * s;
    return x < g.cr + g.w / 2 * g.px && x + s > g.cr - g.w / 2 * g.px
        && y > g.ci - g.h / 2 * g.py && y - s < g.ci + g.h / 2 * g.py;
  }

  /** Fetches the most wanted tiles waiting, MAX_IN_FLIGHT at most. */
  function pump() {
    clearTimeout(retryTimer);
    var now = Date.now(), waiting = [], soonest = Infinity;
    tiles.forEach(function (t) {
      if (t.state !== 'queued') { return; }
      if (t.notBefore > now) { soonest = Math.min(soonest, t.notBefore); } else { waiting.push(t); }
    });
    waiting.sort(function (a, b) { return a.p - b.p || a.serial - b.serial; });
    for (var i = 0; i < waiting.length && inFlight < limit; i++) { fetchTile(waiting[i]); }
    if (soonest < Infinity) { retryTimer = setTimeout(pump, soonest - now); }
    // for a reader (the browser test): the tiles this page is fetching or will fetch
    var fetching = 0;
    tiles.forEach(function (t) { if (t.state === 'queued' || t.state === 'loading') { fetching++; } });
    frame.dataset.fetching = String(fetching);
  }

  // the Resource Timing buffer (250 entries) would fill after a few views: fromBrowserCache reads only the newest
  performance.addEventListener('resourcetimingbufferfull', function () { performance.clearResourceTimings(); });

  function tileUrl(t) {
    return 'tile/' + t.z + '/' + t.x + '/' + t.y + '.png?values=' + t.values + '&p=' + t.p + '&c=' + CLIENT;
  }

  function fetchTile(t) {
    var abort = new AbortController();
    t.state = 'loading';
    t.abort = abort;
    inFlight++;
    var mine = function () { return t.state === 'loading' && t.abort === abort; };
    fetch(tileUrl(t), { signal: abort.signal }).then(function (r) {
      if (!r.ok) {
        return r.text().then(function (text) {
          throw { status: r.status, retryAfter: Number(r.headers.get('Retry-After')) || 1, text: text.trim() };
        });
      }
      t.from = r.headers.get('X-Tile-Cache') || '';
      return r.blob();
    }).then(function (blob) {
      var img = new Image(TILE, TILE);
      img.src = URL.createObjectURL(blob);
      return img.decode().then(function () { return img; }, function (e) {
        URL.revokeObjectURL(img.src);
        throw e;
      });
    }).then(function (img) {
      if (!mine()) {
        URL.revokeObjectURL(img.src);
        return;
      }
      inFlight--;
      limit = Math.min(MAX_IN_FLIGHT, limit + 1);
      if (fromBrowserCache(tileUrl(t))) { t.from = 'browser'; }
      onTileLoaded(t, img);
    }, function (e) {
      if (!mine()) { return; }
      inFlight--;
      onTileFailed(t, e);
    });
  }

  /**
   * Whether the browser's HTTP cache answered this URL: the response then keeps the headers it was stored with, so
   * only its Resource Timing (nothing transferred) tells.
   */
  function fromBrowserCache(url) {
    var entries = performance.getEntriesByName(new URL(url, window.location.href).href);
    var e = entries[entries.length - 1];
    return !!e && e.transferSize === 0 && e.decodedBodySize > 0;
  }

  function onTileLoaded(t, img) {
    t.state = 'loaded';
    t.url = img.src;
    t.el = img;
    img.className = 'tile';
    img.alt = '';
    img.draggable = false;
    img.dataset.z = String(t.z);
    img.dataset.x = String(t.x);
    img.dataset.y = String(t.y);
    img.dataset.values = String(t.values);
    img.dataset.from = t.from;
    placeTile(t, onScreen);
    frame.insertBefore(img, boxEl);
    progress();
  }

  function onTileFailed(t, e) {
    if (e && e.status === 429) {
      t.retries++;
      t.state = 'queued';
      t.notBefore = Date.now() + Math.min(MAX_BACKOFF_MS, 1000 * e.retryAfter * Math.pow(2, t.retries - 1));
      limit = Math.max(1, inFlight);
    } else {
      t.state = 'failed';
      t.error = e && e.text ? e.text : 'the server could not be reached';
    }
    progress();
  }

  /** After a tile's end: the state, the stand-ins once the view is complete, and the next fetches. */
  function progress() {
    if (settling) { // the state is the next view's: it has not asked for its tiles yet
      tidy();
      pump();
      return;
    }
    var failed = plan.fine.filter(function (t) { return t.state === 'failed'; });
    if (failed.length) {
      setState('failed', failed[0].error);
    } else if (complete()) {
      setState('loaded');
    }
    showProgress();
    tidy();
    pump();
  }

  /** Shows the tiles there are, moved and scaled to the placed view g, and asks for none. */
  function previewView(g) {
    onScreen = g;
    tiles.forEach(function (t) { if (t.el) { placeTile(t, g); } });
  }

  /** Places a tile by a CSS transform from its level's pixels to the view's: its pixel (0, 0) where it falls. */
  function placeTile(t, g) {
    var s = span(t.z), step = s / STRIDE;
    var kx = step / g.px, ky = step / g.py;
    var left = g.w / 2 + ((-2.5 + t.x * s) - g.cr) / g.px - kx / 2;
    var top = g.h / 2 + (g.ci - (2 - t.y * s)) / g.py - ky / 2;
    // hidden when it misses the frame by far, or when it is far out of scale (a speck, or the blur of a level
    // other than the view's: at level MAX_LEVEL the view's own tiles are drawn at any scale)
    var margin = 1e4, mine = !!plan && t.z === plan.z;
    var shown = left < g.w + margin && left + TILE * kx > -margin && top < g.h + margin && top + TILE * ky > -margin
        && kx > 1e-3 && (kx < 1e3 || mine);
    t.el.style.display = shown ? '' : 'none';
    // the view's own tiles on top (those of its budget above those of another), then the finer levels
    t.el.style.zIndex = String(mine ? (t.values === plan.g.values ? MAX_LEVEL + 2 : MAX_LEVEL + 1) : t.z);
    if (shown) { t.el.style.transform = 'matrix(' + [kx, 0, 0, ky, left, top].join(', ') + ')'; }
  }

  function drawBox(x0, y0, x1, y1) {
    boxEl.style.left = Math.min(x0, x1) + 'px';
    boxEl.style.top = Math.min(y0, y1) + 'px';
    boxEl.style.width = Math.abs(x1 - x0) + 'px';
    boxEl.style.height = Math.abs(y1 - y0) + 'px';
    boxEl.hidden = false;
  }

  function hideBox() { boxEl.hidden = true; }

  /** waiting (for the view to settle), loading, loaded or failed: on the frame, and in the status line. */
  function setState(state, error) {
    frame.dataset.state = state;
    var busy = state === 'waiting' || state === 'loading';
    status.loading.hidden = !busy;
    clearInterval(tickTimer);
    if (busy) { tickTimer = setInterval(showProgress, 1000); }
    if (state === 'waiting') { status.loading.textContent = 'rendering\u2026'; }
    if (state === 'loading') { showProgress(); }
    status.error.hidden = state !== 'failed';
    status.error.textContent = state === 'failed' ? 'a tile failed: ' + error : '';
  }

  /** Progress: the view's tiles there, and the time since it was asked for. */
  function showProgress() {
    if (!plan || settling) { return; }
    var done = plan.fine.filter(function (t) { return t.state === 'loaded'; }).length;
    frame.dataset.tilesLoaded = String(done);
    frame.dataset.tiles = String(plan.fine.length);
    if (frame.dataset.state !== 'loading') { return; }
    var seconds = Math.round((Date.now() - loadStarted) / 1000);
    status.loading.textContent = 'rendering\u2026 ' + done + ' of ' + plan.fine.length + ' tiles'
        + (seconds ? ', ' + seconds + ' s' : '');
  }

  function scaleText(v) {
    var s = DEFAULT.crpm / v.crpm;
    var units = [[1e12, ' trillion'], [1e9, ' billion'], [1e6, 'M'], [1e3, 'K']];
    for (var i = 0; i < units.length; i++) {
      if (s >= units[i][0]) { return (s / units[i][0]).toPrecision(3) + units[i][1] + ':1'; }
    }
    return s.toPrecision(3) + ':1';
  }

  function showStatus(v, g) {
    status.scale.textContent = 'scale ' + scaleText(v);
    status.centre.textContent = 'centre ' + v.cr + (v.ci < 0 ? ' - ' : ' + ') + Math.abs(v.ci) + 'i';
    status.permalink.href = toQuery(v);
    status.hd.href = imageUrl(g, HD_WIDTH);
  }

  // ---- The queue on screen ----

  // The server's queue, live: GET /events sends its /stats every 250 ms. The browser reconnects by itself after an
  // error (the server takes 16 listeners at once); until the first event the panel's line stays empty.
  var queuePanel = document.getElementById('queue');

  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  function showQueue(s) {
    var workers = Object.keys(s.workers || {}).length;
    queuePanel.dataset.queued = String(s.queued);
    queuePanel.dataset.running = String(s.running);
    queuePanel.dataset.rowsDone = String(s.rowsDone);
    document.getElementById('q-workers').textContent =
        'queue: ' + plural(workers, 'worker', 'workers') + ' (' + s.workerKind + ')';
    document.getElementById('q-rows').textContent = 'rows ' + s.queued + ' waiting, ' + s.running + ' running, '
        + s.rowsDone + ' done';
    var r = s.renders || {};
    document.getElementById('q-renders').textContent = r.started ? 'images ' + (r.active || 0) + ' rendering, '
        + (r.served || 0) + ' served, ' + (r.cancelled || 0) + ' cancelled' : '';
    var t = s.tiles || {};
    document.getElementById('q-tiles').textContent = t.started ? 'tiles ' + (t.active || 0) + ' rendering, '
        + (t.served || 0) + ' served, ' + (t.cacheHits || 0) + ' from the cache, ' + (t.cancelled || 0)
        + ' cancelled' : '';
    queuePanel.classList.remove('off');
  }

  if (window.EventSource) {
    var events = new EventSource('events');
    events.onmessage = function (e) { showQueue(JSON.parse(e.data)); };
    // a page left (or kept in the back-forward cache) gives its listener's place back at once
    window.addEventListener('pagehide', function () { events.close(); });
  }

  // ---- Start ----

  frame.addEventListener('wheel', onWheel, { passive: false });
  frame.addEventListener('pointerdown', onPointerDown);
  frame.addEventListener('pointermove', onPointerMove);
  frame.addEventListener('pointerup', onPointerUp);
  frame.addEventListener('pointercancel', onPointerCancel);
  document.addEventListener('keydown', onKeyDown);
  window.addEventListener('popstate', onPopState);
  window.addEventListener('resize', onResize);
  document.getElementById('controls').addEventListener('submit', onSubmit);
  document.getElementById('zoom-out').addEventListener('click', function () {
    var v = current();
    go({ cr: v.cr, ci: v.ci, crpm: v.crpm * CLICK_ZOOM, values: v.values });
  });
  document.getElementById('reset').addEventListener('click', function () { go(DEFAULT); });

  view = normalise(fromQuery(window.location.search), imageSize());
  if (window.location.search !== toQuery(view)) {
    window.history.replaceState(null, '', toQuery(view));
  }
  show();
}());
