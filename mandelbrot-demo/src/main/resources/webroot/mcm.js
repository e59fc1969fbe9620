// The mcm page: an explorer of the Mandelbrot set. Three parts, kept apart so that the drawing can change (to tiles)
// without touching the rest:
// - the view model: a view is {cr, ci, crpm, values} (the centre, the real half-width asked for, the iteration
//   budget); its URL form (the permalink's query) and where it lies in an image of a given size are here only;
// - navigation: the history (pushState, popstate) and the input handlers (click, wheel, drag, shift-drag, keys, the
//   form and its buttons), which make a new view from the current one;
// - drawing: the images as layers (img elements placed by a CSS transform), the zoom box and the status line.
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

  // ---- Drawing ----

  var DRAW_SETTLE_MS = 120;        // an image is asked for once its view has been still this long
  var img0 = document.getElementById('view');
  var boxEl = document.getElementById('box');
  var status = { scale: document.getElementById('scale'), centre: document.getElementById('centre'),
    permalink: document.getElementById('permalink'), hd: document.getElementById('hd'),
    loading: document.getElementById('loading'), error: document.getElementById('error') };
  // The images shown, oldest first: at most one that has loaded, under the one being loaded. Each is placed by a
  // CSS transform from the view it shows to the view on screen, so an old image stands in while a new one streams.
  var layers = [{ img: img0, g: null, loaded: false, dropped: false }];
  var onScreen = null;             // the placed view the layers are drawn for
  var drawTimer = 0, tickTimer = 0, loadStarted = 0;

  /** The image's size in pixels: the frame's, within the server's limits. */
  function imageSize() {
    return { w: clamp(Math.floor(frame.clientWidth), MIN_WIDTH, MAX_WIDTH),
      h: clamp(Math.floor(frame.clientHeight), MIN_HEIGHT, MAX_HEIGHT) };
  }

  /** Shows the placed view g: the images there are moved and scaled to it at once, its own image shortly. */
  function drawView(g) {
    var front = layers[layers.length - 1];
    if (!front.loaded) { dropLayer(front); }
    while (layers.length > 1) { dropLayer(layers[0]); }
    previewView(g);
    clearTimeout(drawTimer);
    setState('waiting');
    drawTimer = setTimeout(function () { loadLayer(g); }, layers.length ? DRAW_SETTLE_MS : 0);
  }

  /** Shows the images there are, moved and scaled to the placed view g, and asks for none. */
  function previewView(g) {
    onScreen = g;
    layers.forEach(function (layer) { placeLayer(layer, g); });
  }

  function placeLayer(layer, g) {
    var l = layer.g;
    if (!l) { return; }
    var kx = l.px / g.px, ky = l.py / g.py;
    var tx = g.w / 2 - kx * l.w / 2 + (l.cr - g.cr) / g.px;
    var ty = g.h / 2 - ky * l.h / 2 - (l.ci - g.ci) / g.py;
    // far out of scale it is nothing but a speck or a blur
    layer.img.style.display = kx > 1e3 || kx < 1e-3 ? 'none' : '';
    layer.img.style.transform = 'matrix(' + [kx, 0, 0, ky, tx, ty].join(', ') + ')';
  }

  function loadLayer(g) {
    var img = document.createElement('img');
    var layer = { img: img, g: g, loaded: false, dropped: false };
    img.className = 'layer';
    img.alt = 'The Mandelbrot set';
    img.draggable = false;
    img.style.width = g.w + 'px';
    img.style.height = g.h + 'px';
    ['cr', 'ci', 'crpm', 'cipm', 'values'].forEach(function (k) { img.dataset[k] = String(g[k]); });
    img.dataset.loaded = 'false';
    img.addEventListener('load', function () { onLayerLoaded(layer); });
    img.addEventListener('error', function () { onLayerFailed(layer); });
    layers.forEach(function (other) { other.img.removeAttribute('id'); });
    img.id = 'view';
    layers.push(layer);
    placeLayer(layer, onScreen);
    frame.insertBefore(img, boxEl);
    setState('loading');
    img.src = imageUrl(g, g.w);
  }

  function onLayerLoaded(layer) {
    if (layer.dropped) { return; }
    layer.loaded = true;
    layer.img.dataset.loaded = 'true';
    while (layers[0] !== layer) { dropLayer(layers[0]); }
    setState('loaded');
  }

  function onLayerFailed(layer) {
    if (layer.dropped) { return; }
    layer.img.classList.add('failed');
    layer.img.dataset.loaded = 'failed';
    setState('failed');
  }

  /** Takes an image away; one still loading is cancelled. */
  function dropLayer(layer) {
    layer.dropped = true;
    layer.img.removeAttribute('src');
    layer.img.remove();
    layers.splice(layers.indexOf(layer), 1);
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
  function setState(state) {
    frame.dataset.state = state;
    var busy = state === 'waiting' || state === 'loading';
    clearInterval(tickTimer);
    status.loading.hidden = !busy;
    status.loading.textContent = 'rendering\u2026';
    if (state === 'loading') {
      loadStarted = Date.now();
      tickTimer = setInterval(showElapsed, 1000);
    }
    status.error.hidden = state !== 'failed';
    status.error.textContent = state === 'failed' ? 'the image failed' : '';
  }

  function showElapsed() {
    status.loading.textContent = 'rendering\u2026 ' + Math.round((Date.now() - loadStarted) / 1000) + ' s';
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
    document.getElementById('q-renders').textContent = 'images ' + (r.active || 0) + ' rendering, '
        + (r.served || 0) + ' served, ' + (r.cancelled || 0) + ' cancelled';
    var t = s.tiles || {};
    document.getElementById('q-tiles').textContent = t.started ? 'tiles ' + (t.served || 0) + ' served, '
        + (t.cacheHits || 0) + ' from the cache, ' + (t.cancelled || 0) + ' cancelled' : '';
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
