/*
 * bhxh-geo web widget: a map and a list of BHXH offices, collection agents
 * and BHYT health facilities, for any web site, in two lines:
 *
 *   <script src="https://HOST/widget.js" async></script>
 *   <bhxh-geo-map lat="10.01" lon="105.08" zoom="12"></bhxh-geo-map>
 *
 * Attributes (all optional): kinds="office,agent,facility", lat, lon, zoom,
 * api (the bhxh-geo server; default: where this script came from),
 * lang ("vi", default, or "en"), tiles (an {z}/{x}/{y} tile URL; "" or
 * "none" for no tiles; default OpenStreetMap's), attribution (the tiles'),
 * limit (places in the list, 1..50, default 10).
 *
 * It reads the bhxh-geo API only: /v1/map for pins and clusters as the map
 * moves, /v1/nearest for the list, /v1/search for the search box and
 * /v1/offices/{code} for a place's managing office. Leaflet, its style sheet
 * and widget.css are loaded from the same server as this script. Plain
 * ES2017, no build step.
 */
(function () {
  'use strict';
  if (!window.customElements || customElements.get('bhxh-geo-map')) return;

  const script = document.currentScript;
  const BASE = script && script.src ? new URL('.', script.src).href.replace(/\/$/, '') : location.origin;
  const OSM_TILES = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
  const OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>';
  const KINDS = ['office', 'agent', 'facility'];
  const KIND_PATH = { office: 'offices', agent: 'agents', facility: 'facilities' };
  const KIND_LETTER = { office: 'B', agent: 'Đ', facility: '+' };

  const STRINGS = {
    vi: {
      region: 'Tìm cơ quan BHXH, đại lý thu và cơ sở KCB BHYT',
      kinds: { office: 'Cơ quan BHXH', agent: 'Đại lý thu', facility: 'Cơ sở KCB BHYT' },
      kindLong: { office: 'Cơ quan Bảo hiểm xã hội', agent: 'Đại lý thu BHXH, BHYT', facility: 'Cơ sở khám chữa bệnh BHYT' },
      filter: 'Loại địa điểm',
      search: 'Tìm theo tên hoặc địa chỉ',
      locate: 'Vị trí của tôi',
      locating: 'Đang xác định vị trí của bạn…',
      denied: 'Bạn chưa cho phép trang này biết vị trí. Hãy cho phép trong cài đặt trình duyệt, hoặc kéo bản đồ hay tìm theo tên.',
      unavailable: 'Không xác định được vị trí của bạn. Hãy thử lại, hoặc kéo bản đồ hay tìm theo tên.',
      timeout: 'Xác định vị trí quá lâu. Hãy thử lại.',
      unsupported: 'Trình duyệt không cho phép định vị trên trang này (cần HTTPS).',
      nearYou: 'Gần vị trí của bạn',
      nearCentre: 'Gần giữa bản đồ',
      results: 'Kết quả tìm “{q}”',
      none: 'Không có địa điểm nào.',
      noKinds: 'Hãy chọn ít nhất một loại địa điểm.',
      error: 'Không tải được dữ liệu: {e}',
      map: 'Bản đồ',
      list: 'Danh sách',
      directions: 'Chỉ đường',
      close: 'Đóng',
      back: 'Quay lại danh sách',
      code: 'Mã',
      address: 'Địa chỉ',
      phone: 'Điện thoại',
      email: 'Email',
      website: 'Trang web',
      hours: 'Giờ làm việc',
      distance: 'Khoảng cách',
      level: 'Tuyến',
      facilityClass: 'Hạng',
      ownership: 'Loại hình',
      initial: 'Đăng ký KCB ban đầu',
      agentType: 'Loại đại lý',
      officeLevel: 'Cấp',
      managedBy: 'Cơ quan BHXH quản lý',
      approx: 'Vị trí trên bản đồ là gần đúng.',
      yes: 'Có nhận',
      no: 'Không nhận',
      levels: { central: 'Trung ương', province: 'Tỉnh', district: 'Huyện', commune: 'Xã' },
      officeLevels: { province: 'Tỉnh', district: 'Cơ sở (huyện)' },
      classes: { special: 'Đặc biệt' },
      ownerships: { public: 'Công lập', private: 'Tư nhân' },
      cluster: '{n} địa điểm: phóng to để xem',
      you: 'Vị trí của bạn',
      data: 'Dữ liệu: BHXH Việt Nam, OpenStreetMap (ODbL)',
    },
    en: {
      region: 'Find BHXH offices, collection agents and BHYT health facilities',
      kinds: { office: 'BHXH offices', agent: 'Collection agents', facility: 'Health facilities' },
      kindLong: { office: 'Social security (BHXH) office', agent: 'BHXH/BHYT collection agent', facility: 'Health facility (BHYT)' },
      filter: 'Kinds of place',
      search: 'Search by name or address',
      locate: 'Use my location',
      locating: 'Finding your location…',
      denied: 'Location access was refused. Allow it in your browser settings, or move the map or search by name.',
      unavailable: 'Your location could not be found. Try again, or move the map or search by name.',
      timeout: 'Finding your location took too long. Try again.',
      unsupported: 'This browser cannot share your location on this page (HTTPS is needed).',
      nearYou: 'Near you',
      nearCentre: 'Near the centre of the map',
      results: 'Results for “{q}”',
      none: 'No places found.',
      noKinds: 'Choose at least one kind of place.',
      error: 'Could not load data: {e}',
      map: 'Map',
      list: 'List',
      directions: 'Directions',
      close: 'Close',
      back: 'Back to the list',
      code: 'Code',
      address: 'Address',
      phone: 'Phone',
      email: 'Email',
      website: 'Web site',
      hours: 'Opening hours',
      distance: 'Distance',
      level: 'Level',
      facilityClass: 'Class',
      ownership: 'Ownership',
      initial: 'First-contact registration',
      agentType: 'Agent type',
      officeLevel: 'Level',
      managedBy: 'Managing BHXH office',
      approx: 'The position on the map is approximate.',
      yes: 'Accepted',
      no: 'Not accepted',
      levels: { central: 'Central', province: 'Province', district: 'District', commune: 'Commune' },
      officeLevels: { province: 'Province', district: 'Local (district)' },
      classes: { special: 'Special' },
      ownerships: { public: 'Public', private: 'Private' },
      cluster: '{n} places: zoom in to see them',
      you: 'Your location',
      data: 'Data: Vietnam Social Security, OpenStreetMap (ODbL)',
    },
  };

  // ------------------------------------------------------------ helpers

  /* h('a', {href: u, class: 'x'}, 'text', child): an element; strings become text, never HTML. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    el.append(...present(children));
    return el;
  }

  /* The children worth adding: append() and replaceChildren() would turn null into the text "null". */
  function present(children) {
    return children.flat().filter((c) => c !== null && c !== undefined && c !== false);
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, k) => values[k]);
  }

  function addStyleSheet(href) {
    if ([...document.querySelectorAll('link[rel="stylesheet"]')].some((l) => l.href === href)) return;
    document.head.append(h('link', { rel: 'stylesheet', href }));
  }

  let leafletPromise = null;
  /* Leaflet from the bhxh-geo server (once per page); a page that has Leaflet 1.x already keeps its own. */
  function loadLeaflet() {
    if (window.L && window.L.map && /^1\./.test(window.L.version || '')) return Promise.resolve(window.L);
    if (!leafletPromise) {
      addStyleSheet(BASE + '/leaflet/leaflet.css');
      leafletPromise = new Promise((resolve, reject) => {
        const s = h('script', { src: BASE + '/leaflet/leaflet.js' });
        s.onload = () => (window.L ? resolve(window.L) : reject(new Error('Leaflet did not load')));
        s.onerror = () => reject(new Error('Leaflet did not load from ' + BASE));
        document.head.append(s);
      });
    }
    return leafletPromise;
  }

  /* A tel: URI for the first number in a free-text phone field ("0297.3 862 123 - 0913..."). */
  function telHref(phone) {
    const first = String(phone).split(/[,;/]|\s[-–]\s/)[0];
    const digits = first.replace(/[^\d+]/g, '');
    return digits.length >= 3 ? 'tel:' + digits : null;
  }

  function safeWebsite(url) {
    const u = /^https?:\/\//i.test(url) ? url : 'https://' + url;
    try {
      return new URL(u).href;
    } catch (_) {
      return null;
    }
  }

  function directionsHref(place, from) {
    const to = place.lat + ',' + place.lon;
    const route = (from ? from.lat.toFixed(6) + ',' + from.lon.toFixed(6) : '') + ';' + to;
    return 'https://www.openstreetmap.org/directions?engine=fossgis_osrm_car&route=' + encodeURIComponent(route);
  }

  class ApiError extends Error {}

  let nextId = 0;

  // ------------------------------------------------------------ the element

  class BhxhGeoMap extends HTMLElement {
    connectedCallback() {
      if (this._root) {
        if (this._map) this._map.invalidateSize();
        return;
      }
      this._configure();
      this._build();
      loadLeaflet().then(
        (L) => this._startMap(L),
        (e) => this._status(fill(this._t.error, { e: e.message }), true)
      );
    }

    _configure() {
      const a = (name) => this.getAttribute(name);
      const num = (name, lo, hi, dflt) => {
        const v = parseFloat(a(name));
        return Number.isFinite(v) && v >= lo && v <= hi ? v : dflt;
      };
      this._lang = /^en\b/i.test(a('lang') || '') ? 'en' : 'vi';
      this._t = STRINGS[this._lang];
      const kinds = (a('kinds') || '').split(',').map((s) => s.trim()).filter((k) => KINDS.includes(k));
      this._kinds = kinds.length ? KINDS.filter((k) => kinds.includes(k)) : KINDS.slice();
      this._shown = new Set(this._kinds);
      this._center = [num('lat', -90, 90, 16.0), num('lon', -180, 180, 106.5)];
      this._zoom = Math.round(num('zoom', 0, 19, 5));
      this._api = (a('api') || BASE).replace(/\/+$/, '');
      const tiles = a('tiles');
      this._tiles = tiles === null ? OSM_TILES : tiles === 'none' ? '' : tiles;
      this._tileAttribution = a('attribution') || (this._tiles === OSM_TILES ? OSM_ATTRIBUTION : '');
      this._limit = Math.round(num('limit', 1, 50, 10));
      this._user = null; // {lat, lon} once geolocation answered
      this._query = '';
      this._offices = new Map(); // code -> office, for "managed by"
      this._aborts = {};
      this._timers = {};
      this._uid = 'bhxh-geo-' + ++nextId;
    }

    _build() {
      const t = this._t;
      const id = this._uid;
      this._search = h('input', {
        type: 'search', class: 'bg-search', placeholder: t.search, 'aria-label': t.search,
        autocomplete: 'off', enterkeyhint: 'search', maxlength: 100,
        oninput: () => this._later('search', 300, () => this._runSearch()),
        onkeydown: (e) => this._searchKey(e),
      });
      this._locateBtn = h('button', { type: 'button', class: 'bg-locate', onclick: () => this._locate() },
        h('span', { class: 'bg-locate-icon', 'aria-hidden': 'true' }), t.locate);
      const chips = this._kinds.map((k) => h('label', { class: 'bg-chip bg-kind-' + k },
        h('input', { type: 'checkbox', value: k, checked: true, onchange: (e) => this._toggleKind(k, e.target.checked) }),
        h('span', { class: 'bg-dot', 'aria-hidden': 'true' }), t.kinds[k]));
      this._filter = h('fieldset', { class: 'bg-kinds', hidden: this._kinds.length < 2 },
        h('legend', { class: 'bg-sr' }, t.filter), chips);
      this._statusEl = h('p', { class: 'bg-status', role: 'status', 'aria-live': 'polite' });
      this._mapEl = h('div', { class: 'bg-map', role: 'application', 'aria-label': t.map });
      this._listTitle = h('h2', { class: 'bg-list-title', id: id + '-lt' });
      this._list = h('ol', { class: 'bg-list', 'aria-labelledby': id + '-lt' });
      this._listBox = h('div', { class: 'bg-listbox' }, this._listTitle, this._list);
      this._details = h('section', { class: 'bg-details', hidden: true, 'aria-labelledby': id + '-dt' });
      this._root = h('div', { class: 'bhxh-geo', lang: this._lang, role: 'region', 'aria-label': t.region },
        h('div', { class: 'bg-toolbar' }, this._search, this._locateBtn, this._filter),
        this._statusEl,
        h('div', { class: 'bg-body' }, this._mapEl, h('div', { class: 'bg-side' }, this._listBox, this._details)));
      this._root.addEventListener('keydown', (e) => {
        if (e.key === 'Escape' && !this._details.hidden) {
          e.preventDefault();
          this._closeDetails();
        }
      });
      this.replaceChildren(this._root);
    }

    _startMap(L) {
      this._L = L;
      const map = L.map(this._mapEl, { minZoom: 3, maxZoom: 19, zoomSnap: 1 }).setView(this._center, this._zoom);
      this._map = map;
      if (this._tiles) L.tileLayer(this._tiles, { maxZoom: 19, attribution: this._tileAttribution }).addTo(map);
      map.attributionControl.addAttribution(this._t.data);
      this._markers = L.layerGroup().addTo(map);
      this._youLayer = L.layerGroup().addTo(map);
      map.on('moveend', () => {
        this._later('map', 120, () => this._loadMap());
        // The list follows the map's centre until the user shares a location or searches;
        // not while a place's details are open (flying to it must not reorder the list behind).
        if (!this._user && !this._query && this._details.hidden) this._later('list', 400, () => this._loadList());
      });
      this._loadMap();
      this._loadList();
      if (window.ResizeObserver) new ResizeObserver(() => map.invalidateSize()).observe(this._mapEl);
    }

    // ---------------------------------------------------------- data

    _later(name, ms, fn) {
      clearTimeout(this._timers[name]);
      this._timers[name] = setTimeout(fn, ms);
    }

    /* GET api+path as JSON; a newer call on the same channel aborts the older one. */
    async _get(channel, path) {
      if (this._aborts[channel]) this._aborts[channel].abort();
      const ctl = window.AbortController ? new AbortController() : null;
      this._aborts[channel] = ctl;
      const res = await fetch(this._api + path, { headers: { Accept: 'application/json' }, signal: ctl && ctl.signal });
      let body = null;
      try {
        body = await res.json();
      } catch (_) {
        /* not JSON */
      }
      if (!res.ok) throw new ApiError((body && body.detail) || 'HTTP ' + res.status);
      return body;
    }

    _kindParam() {
      return this._kinds.filter((k) => this._shown.has(k)).join(',');
    }

    _failed(e) {
      if (e && e.name === 'AbortError') return;
      this._status(fill(this._t.error, { e: e && e.message ? e.message : String(e) }), true, 'data');
    }

    async _loadMap() {
      const map = this._map;
      if (!map) return;
      const kinds = this._kindParam();
      if (!kinds) {
        this._markers.clearLayers();
        return;
      }
      const b = map.getBounds();
      const clamp = (v, lim) => Math.max(-lim, Math.min(lim, v));
      const w = clamp(b.getWest(), 180), e = clamp(b.getEast(), 180);
      const s = clamp(b.getSouth(), 90), n = clamp(b.getNorth(), 90);
      if (!(w < e && s < n)) return;
      const r5 = (v, f) => (Math[f](v * 1e5) / 1e5).toFixed(5);
      const bbox = [r5(w, 'floor'), r5(s, 'floor'), r5(e, 'ceil'), r5(n, 'ceil')].join(',');
      const zoom = Math.max(0, Math.min(20, Math.round(map.getZoom())));
      try {
        const data = await this._get('map', `/v1/map?bbox=${bbox}&zoom=${zoom}&kind=${kinds}`);
        this._drawMarkers(data.results);
      } catch (err) {
        this._failed(err);
      }
    }

    _drawMarkers(results) {
      const L = this._L;
      this._markers.clearLayers();
      for (const r of results) {
        let m;
        if (r.cluster) {
          const n = r.point_count;
          const size = n < 10 ? 34 : n < 100 ? 40 : 48;
          m = L.marker([r.lat, r.lon], {
            icon: L.divIcon({ className: 'bg-cluster', html: '<span>' + String(r.point_count_abbreviated).replace(/[^\w.]/g, '') + '</span>', iconSize: [size, size] }),
            title: fill(this._t.cluster, { n }), keyboard: true,
          });
          m.on('click', () => this._map.setView([r.lat, r.lon], Math.min(r.expansion_zoom, this._map.getMaxZoom())));
        } else {
          m = L.marker([r.lat, r.lon], {
            icon: L.divIcon({ className: 'bg-pin bg-kind-' + r.kind, html: '<span>' + KIND_LETTER[r.kind] + '</span>', iconSize: [26, 26] }),
            title: r.name, keyboard: true, riseOnHover: true,
          });
          m.on('click', () => this._openDetails(r, m.getElement()));
        }
        this._markers.addLayer(m);
        const el = m.getElement();
        if (!el) continue;
        el.setAttribute('aria-label', r.cluster ? fill(this._t.cluster, { n: r.point_count }) : r.name);
        if (!r.cluster) {
          el.dataset.kind = r.kind;
          el.dataset.code = r.code;
          if (this._selected === r.kind + '/' + r.code) el.classList.add('bg-selected');
        }
        el.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            m.fire('click');
          }
        });
      }
    }

    /* The list: search results while there is a query, else the nearest to the user or the map's centre. */
    async _loadList() {
      if (this._query) return this._runSearch();
      const kinds = this._kindParam();
      const here = this._user || this._centre();
      if (!here) return;
      this._listTitle.textContent = this._user ? this._t.nearYou : this._t.nearCentre;
      if (!kinds) return this._renderList([], this._t.noKinds);
      try {
        const q = `lat=${here.lat.toFixed(6)}&lon=${here.lon.toFixed(6)}&kind=${kinds}&limit=${this._limit}`;
        const data = await this._get('list', '/v1/nearest?' + q);
        this._renderList(data.results);
      } catch (err) {
        this._failed(err);
      }
    }

    _centre() {
      if (!this._map) return null;
      const c = this._map.getCenter().wrap();
      return { lat: c.lat, lon: c.lng };
    }

    async _runSearch() {
      const q = this._search.value.trim().replace(/\s+/g, ' ');
      clearTimeout(this._timers.search);
      if (q.length < 2) {
        if (this._query) {
          this._query = '';
          this._loadList();
        }
        return;
      }
      this._query = q;
      this._listTitle.textContent = fill(this._t.results, { q });
      const kinds = this._kindParam();
      if (!kinds) return this._renderList([], this._t.noKinds);
      const here = this._user || this._centre();
      let path = `/v1/search?q=${encodeURIComponent(q)}&kind=${kinds}&limit=${this._limit}`;
      if (here) path += `&lat=${here.lat.toFixed(6)}&lon=${here.lon.toFixed(6)}`;
      try {
        const data = await this._get('list', path);
        if (q === this._query) this._renderList(data.results);
      } catch (err) {
        this._failed(err);
      }
    }

    _searchKey(e) {
      if (e.key === 'Enter') {
        e.preventDefault();
        this._runSearch();
      } else if (e.key === 'Escape' && this._search.value) {
        e.preventDefault();
        e.stopPropagation();
        this._search.value = '';
        this._runSearch();
      }
    }

    _toggleKind(kind, on) {
      if (on) this._shown.add(kind);
      else this._shown.delete(kind);
      this._loadMap();
      this._loadList();
    }

    // ---------------------------------------------------------- list and details

    _distance(m) {
      if (typeof m !== 'number') return '';
      const nf = (d) => new Intl.NumberFormat(this._lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: d });
      return m < 1000 ? nf(0).format(Math.round(m / 10) * 10) + ' m' : nf(m < 100000 ? 1 : 0).format(m / 1000) + ' km';
    }

    _renderList(results, message) {
      if (this._statusFrom === 'data') this._status('');
      if (!results.length) {
        this._list.replaceChildren(h('li', { class: 'bg-empty' }, message || this._t.none));
        return;
      }
      this._list.replaceChildren(...results.map((p) => this._listItem(p)));
    }

    _listItem(p) {
      const t = this._t;
      const main = h('button', { type: 'button', class: 'bg-item-main', onclick: (e) => this._openDetails(p, e.currentTarget, true) },
        h('span', { class: 'bg-dot bg-kind-' + p.kind, title: t.kindLong[p.kind] }),
        h('span', { class: 'bg-item-name' }, p.name),
        p.distance_m !== undefined ? h('span', { class: 'bg-item-dist' }, this._distance(p.distance_m)) : null,
        p.address ? h('span', { class: 'bg-item-addr' }, p.address) : null);
      return h('li', { class: 'bg-item', 'data-kind': p.kind, 'data-code': p.code }, main, this._actions(p));
    }

    _actions(p) {
      const tel = p.phone ? telHref(p.phone) : null;
      return h('div', { class: 'bg-actions' },
        tel ? h('a', { class: 'bg-tel', href: tel }, h('span', { 'aria-hidden': 'true' }, '☎ '), p.phone) : null,
        h('a', { class: 'bg-dir', href: directionsHref(p, this._user), target: '_blank', rel: 'noopener' }, this._t.directions));
    }

    _openDetails(p, opener, fly) {
      const t = this._t;
      this._opener = opener || null;
      const rows = [];
      const row = (label, ...value) => rows.push(h('dt', null, label), h('dd', null, ...value));
      if (p.address) row(t.address, p.address);
      if (p.distance_m !== undefined) row(t.distance, this._distance(p.distance_m));
      if (p.phone) row(t.phone, telHref(p.phone) ? h('a', { href: telHref(p.phone) }, p.phone) : p.phone);
      if (p.email) row(t.email, h('a', { href: 'mailto:' + p.email }, p.email));
      const web = p.website ? safeWebsite(p.website) : null;
      if (web) row(t.website, h('a', { href: web, target: '_blank', rel: 'noopener' }, p.website));
      if (p.opening_hours) row(t.hours, p.opening_hours);
      if (p.kind === 'office' && p.level) row(t.officeLevel, t.officeLevels[p.level] || p.level);
      if (p.kind === 'facility') {
        if (p.level) row(t.level, t.levels[p.level] || p.level);
        if (p.facility_class) row(t.facilityClass, t.classes[p.facility_class] || p.facility_class);
        if (p.ownership) row(t.ownership, t.ownerships[p.ownership] || p.ownership);
        if (typeof p.accepts_initial_registration === 'boolean') row(t.initial, p.accepts_initial_registration ? t.yes : t.no);
      }
      if (p.kind === 'agent' && p.agent_type) row(t.agentType, p.agent_type);
      const managed = h('dd', { class: 'bg-managed' });
      if (p.parent_code) rows.push(h('dt', null, t.managedBy), managed);
      const title = h('h2', { id: this._uid + '-dt', tabindex: '-1' }, p.name);
      this._details.replaceChildren(...present([
        h('div', { class: 'bg-details-head' },
          h('button', { type: 'button', class: 'bg-close', 'aria-label': t.back, title: t.back, onclick: () => this._closeDetails() }, '←'),
          h('p', { class: 'bg-kindline' }, h('span', { class: 'bg-dot bg-kind-' + p.kind, 'aria-hidden': 'true' }), t.kindLong[p.kind] + ' · ' + t.code + ' ' + p.code)),
        title,
        h('dl', null, rows),
        p.position_approx ? h('p', { class: 'bg-approx' }, t.approx) : null,
        this._actions(p)]));
      this._listBox.hidden = true;
      this._details.hidden = false;
      this._highlight(p);
      if (fly && this._map) this._map.setView([p.lat, p.lon], Math.max(this._map.getZoom(), 15));
      title.focus({ preventScroll: true });
      if (this._details.getBoundingClientRect().top > window.innerHeight) this._details.scrollIntoView({ block: 'nearest' });
      if (p.parent_code) this._showOffice(p.parent_code, managed);
    }

    async _showOffice(code, dd) {
      try {
        let office = this._offices.get(code);
        if (!office) {
          office = await this._get('office', '/v1/offices/' + encodeURIComponent(code));
          this._offices.set(code, office);
        }
        dd.replaceChildren(h('button', { type: 'button', class: 'bg-link', onclick: (e) => this._openDetails(office, this._opener, true) }, office.name));
      } catch (err) {
        if (!err || err.name !== 'AbortError') dd.textContent = code;
      }
    }

    _highlight(p) {
      this._selected = p ? p.kind + '/' + p.code : null;
      for (const el of this._mapEl.querySelectorAll('.bg-selected')) el.classList.remove('bg-selected');
      if (!p) return;
      const el = this._mapEl.querySelector(`.bg-pin[data-kind="${p.kind}"][data-code="${CSS.escape(p.code)}"]`);
      if (el) el.classList.add('bg-selected');
    }

    _closeDetails() {
      this._details.hidden = true;
      this._listBox.hidden = false;
      this._highlight(null);
      const back = this._opener && this._opener.isConnected ? this._opener : this._list.querySelector('button');
      if (back) back.focus();
    }

    // ---------------------------------------------------------- location and messages

    _locate() {
      const t = this._t;
      if (!navigator.geolocation || window.isSecureContext === false) return this._status(t.unsupported, true);
      this._status(t.locating);
      this._locateBtn.setAttribute('aria-busy', 'true');
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          this._locateBtn.removeAttribute('aria-busy');
          this._status('');
          this._user = { lat: pos.coords.latitude, lon: pos.coords.longitude };
          this._showUser();
          this._loadList();
        },
        (err) => {
          this._locateBtn.removeAttribute('aria-busy');
          this._status(err.code === 1 ? t.denied : err.code === 3 ? t.timeout : t.unavailable, true);
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    }

    _showUser() {
      const L = this._L;
      if (!this._map) return;
      const at = [this._user.lat, this._user.lon];
      this._youLayer.clearLayers();
      L.circleMarker(at, { radius: 8, color: '#fff', weight: 3, fillColor: '#1a73e8', fillOpacity: 1, className: 'bg-you' })
        .bindTooltip(this._t.you).addTo(this._youLayer);
      this._map.setView(at, Math.max(this._map.getZoom(), 13));
    }

    /* A message under the toolbar; from says who set it ('data' errors clear on the next good answer). */
    _status(text, isError, from) {
      this._statusFrom = from || 'other';
      this._statusEl.textContent = text;
      this._statusEl.classList.toggle('bg-error', !!isError);
      this._statusEl.hidden = !text;
    }
  }

  addStyleSheet(BASE + '/widget.css');
  customElements.define('bhxh-geo-map', BhxhGeoMap);
})();
