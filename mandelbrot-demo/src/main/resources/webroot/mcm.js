// The mcm page: the view (cr, ci, crpm) lives in the URL's query, so every view has a permalink.
(function () {
  'use strict';
  var DEFAULT = { cr: -0.630, ci: 0.0, crpm: 1.40 };
  var ZOOM = 5;
  var MIN_WIDTH = 240, MAX_WIDTH = 10000, HD_WIDTH = 2048;
  var img = document.getElementById('view');
  var fields = { cr: document.getElementById('cr'), ci: document.getElementById('ci'),
    crpm: document.getElementById('crpm') };
  var view = readView();
  var width = 0, height = 0;

  function clampCentre(x) { return Math.max(-3, Math.min(3, x)); }
  // 12 significant digits: 1.4 / 5 is 0.28, not 0.27999999999999997.
  function clampSpan(x) { return Number(Math.max(1e-15, Math.min(3, x)).toPrecision(12)); }

  function readView() {
    var q = new URLSearchParams(window.location.search);
    function num(name) {
      var v = parseFloat(q.get(name));
      return isFinite(v) ? v : DEFAULT[name];
    }
    return { cr: clampCentre(num('cr')), ci: clampCentre(num('ci')), crpm: clampSpan(num('crpm')) };
  }

  // Enough digits to tell neighbouring pixels apart at this scale.
  function digits() { return Math.max(3, Math.min(17, Math.ceil(-Math.log10(view.crpm / 2000)))); }
  function fmt(x) { return x.toFixed(digits()); }

  function scaleText() {
    var s = DEFAULT.crpm / view.crpm;
    var units = [[1e12, ' trillion'], [1e9, ' billion'], [1e6, 'M'], [1e3, 'K']];
    for (var i = 0; i < units.length; i++) {
      if (s >= units[i][0]) { return (s / units[i][0]).toPrecision(3) + units[i][1] + ':1'; }
    }
    return s.toPrecision(3) + ':1';
  }

  function query(n, cipm) {
    return 'N=' + n + '&cr=' + view.cr + '&ci=' + view.ci + '&crpm=' + view.crpm + '&cipm=' + cipm;
  }

  // The image fills the width; its height is the window's, less the header, so the whole view shows.
  function load() {
    var frame = document.getElementById('frame');
    width = Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.floor(frame.clientWidth)));
    var room = window.innerHeight - frame.getBoundingClientRect().top - 60;
    height = Math.max(120, Math.min(width, Math.floor(room)));
    var cipm = view.crpm * height / width;
    fields.cr.value = fmt(view.cr);
    fields.ci.value = fmt(view.ci);
    fields.crpm.value = String(view.crpm);
    document.getElementById('scale').textContent = 'scale ' + scaleText();
    document.getElementById('centre').textContent =
        fmt(view.cr) + (view.ci < 0 ? ' - ' : ' + ') + fmt(Math.abs(view.ci)) + 'i';
    var link = '?cr=' + view.cr + '&ci=' + view.ci + '&crpm=' + view.crpm;
    document.getElementById('permalink').href = link;
    document.getElementById('hd').href = 'image.png?' + query(HD_WIDTH, cipm);
    if (window.location.search !== link) {
      window.history.replaceState(null, '', link);
    }
    img.dataset.loaded = 'false';
    document.getElementById('loading').className = 'on';
    img.src = 'image.png?' + query(width, cipm);
  }

  img.addEventListener('load', function () {
    img.dataset.loaded = 'true';
    document.getElementById('loading').className = '';
  });
  img.addEventListener('error', function () {
    document.getElementById('loading').textContent = 'the image failed';
  });

  img.addEventListener('click', function (e) {
    var r = img.getBoundingClientRect();
    var fx = (e.clientX - r.left) / r.width, fy = (e.clientY - r.top) / r.height;
    var cipm = view.crpm * height / width;
    view = { cr: clampCentre(view.cr - view.crpm + 2 * view.crpm * fx),
      ci: clampCentre(view.ci + cipm - 2 * cipm * fy),
      crpm: clampSpan(view.crpm / ZOOM) };
    load();
  });

  document.getElementById('zoom-out').addEventListener('click', function () {
    view.crpm = clampSpan(view.crpm * ZOOM);
    load();
  });

  document.getElementById('controls').addEventListener('submit', function (e) {
    e.preventDefault();
    function num(f, fallback) { var v = parseFloat(f.value); return isFinite(v) ? v : fallback; }
    view = { cr: clampCentre(num(fields.cr, view.cr)), ci: clampCentre(num(fields.ci, view.ci)),
      crpm: clampSpan(num(fields.crpm, view.crpm)) };
    load();
  });

  load();
}());
