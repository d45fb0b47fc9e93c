// SPDX-License-Identifier: GPL-2.0-or-later
// remsim-server's web view: the REST API under /api/v1 and its event stream,
// no libraries. Every bank slot is kept in memory; only one page of rows is
// in the document, so a bank of a thousand slots stays quick.
'use strict';

const API = '/api/v1';
const PAGE = 50;
const state = {
	write: false,   // what whoami says: make/remove maps, reset cards
	token: null,    // the name of the token in use (whoami), or null
	banks: [],
	clients: [],
	maps: new Map(),  // id -> upstream map object
	slots: new Map(), // "bank:slot" -> slot object of /api/v1/slots
	order: [],        // keys in bank, slot order
	page: 0,
	query: '',
	loadedAt: 0,
};

const $ = (id) => document.getElementById(id);

// a server with a tokens file wants one: asked for on a 401, kept for this tab only
const TOKEN_KEY = 'remsim-token';
const token = () => sessionStorage.getItem(TOKEN_KEY);

function askToken(why) {
	$('token-form').hidden = false;
	$('token-result').textContent = why;
	$('token').focus();
}

async function api(method, path, body) {
	const init = { method, headers: {} };
	if (body !== undefined) {
		init.headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	if (token())
		init.headers['Authorization'] = 'Bearer ' + token();
	const res = await fetch(path, init);
	const text = await res.text();
	const data = text ? JSON.parse(text) : {};
	if (res.status === 401)
		askToken(data.error || 'a token is required');
	if (!res.ok)
		throw new Error(data.error || res.status + ' ' + res.statusText);
	return data;
}

function cell(tr, text, cls) {
	const td = document.createElement('td');
	td.textContent = text === null || text === undefined ? '' : String(text);
	if (cls)
		td.className = cls;
	tr.appendChild(td);
	return td;
}

function key(bank, slot) {
	return bank + ':' + slot;
}

function mapId(bank, slot) {
	return bank * 65536 + slot;
}

// ---- what the server has ----

function sortOrder() {
	const rank = (k) => state.slots.get(k).bank_id * 65536 + state.slots.get(k).slot;
	state.order.sort((a, b) => rank(a) - rank(b));
}

// @sorted false: the caller sorts once after many
function putSlot(slot, sorted = true) {
	const k = key(slot.bank_id, slot.slot);
	const fresh = !state.slots.has(k);
	state.slots.set(k, slot);
	if (fresh) {
		state.order.push(k);
		if (sorted)
			sortOrder();
	}
}

function slotMap(slot) {
	return state.maps.get(mapId(slot.bank_id, slot.slot)) || null;
}

async function loadAll() {
	const [who, banks, clients, maps, slots] = await Promise.all([
		api('GET', API + '/whoami'), api('GET', API + '/banks'),
		api('GET', API + '/clients'), api('GET', API + '/slotmaps'),
		api('GET', API + '/slots?limit=5000'),
	]);
	state.write = who.write;
	state.token = who.token;
	state.banks = banks.banks;
	state.clients = clients.clients;
	state.maps = new Map(maps.slotmaps.map((m) => [mapId(m.bank.bankId, m.bank.slotNr), m]));
	state.slots = new Map();
	state.order = [];
	slots.slots.forEach((slot) => putSlot(slot, false));
	sortOrder();
	renderAll();
}

// ---- drawing ----

function matches(slot) {
	const q = state.query.trim();
	if (!q)
		return true;
	const card = slot.card || {};
	const map = slotMap(slot);
	if (q === key(slot.bank_id, slot.slot) || q === slot.bank_id + ':')
		return true;
	if (map && q.toUpperCase() === 'C' + map.client.clientId + ':' + map.client.slotNr)
		return true;
	return (card.iccid && card.iccid.startsWith(q)) || (card.imsi && card.imsi.startsWith(q)) ||
	       (card.spn && card.spn.toLowerCase().includes(q.toLowerCase()));
}

function visibleKeys() {
	return state.order.filter((k) => matches(state.slots.get(k)));
}

function slotRow(slot) {
	const tr = document.createElement('tr');
	const card = slot.card || {};
	const map = slotMap(slot);
	tr.id = 'slot-' + slot.bank_id + '-' + slot.slot;
	if (card.iccid)
		tr.dataset.iccid = card.iccid;
	if (slot.stale || !slot.bank_connected)
		tr.className = 'stale';
	cell(tr, key(slot.bank_id, slot.slot), 'mono');
	cell(tr, slot.state || (slot.bank_connected ? '?' : 'gone'), 'state-' + slot.state);
	cell(tr, card.iccid || (card.state === 'failed' ? 'unreadable' : ''), 'mono iccid');
	cell(tr, card.imsi, 'mono imsi');
	cell(tr, card.spn, 'spn');
	cell(tr, card.pin1, 'pin1');
	cell(tr, map ? map.client.clientId + ':' + map.client.slotNr : '', 'mono map');
	cell(tr, map ? map.state.toLowerCase() : '', 'state-' + (map ? map.state.toLowerCase() : ''));
	cell(tr, slot.apdus, 'num apdus');
	cell(tr, slot.errors, 'num errors');
	const actions = cell(tr, '');
	if (state.write && map)
		actions.appendChild(button('unmap', 'unmap', () => unmap(mapId(slot.bank_id, slot.slot))));
	if (state.write && slot.state === 'card-powered')
		actions.appendChild(button('reset', 'reset card', () => reset(slot)));
	return tr;
}

function button(cls, text, onclick) {
	const b = document.createElement('button');
	b.type = 'button';
	b.className = 'small ' + cls;
	b.textContent = text;
	b.addEventListener('click', onclick);
	return b;
}

function renderSlots() {
	const keys = visibleKeys();
	const pages = Math.max(1, Math.ceil(keys.length / PAGE));
	state.page = Math.min(state.page, pages - 1);
	const tbody = $('slots').tBodies[0];
	const rows = keys.slice(state.page * PAGE, (state.page + 1) * PAGE)
			 .map((k) => slotRow(state.slots.get(k)));
	tbody.replaceChildren(...rows);
	$('slot-count').textContent = keys.length + ' of ' + state.order.length;
	$('page-info').textContent = 'page ' + (state.page + 1) + ' of ' + pages;
	$('page-prev').disabled = state.page === 0;
	$('page-next').disabled = state.page >= pages - 1;
}

function renderBanks() {
	const rows = state.banks.map((b) => {
		const tr = document.createElement('tr');
		tr.id = 'bank-' + b.bankId;
		cell(tr, b.bankId, 'mono');
		cell(tr, b.component_id.name);
		cell(tr, b.component_id.software + ' ' + b.component_id.swVersion);
		cell(tr, b.numberOfSlots, 'num');
		cell(tr, b.peer);
		cell(tr, b.remsim ? 'yes' : 'no (upstream bank)');
		return tr;
	});
	$('banks').tBodies[0].replaceChildren(...rows);
	$('bank-count').textContent = String(state.banks.length);
}

function renderClients() {
	const rows = state.clients.map((c) => {
		const tr = document.createElement('tr');
		cell(tr, c.peer, 'mono');
		cell(tr, c.component_id.name);
		cell(tr, c.component_id.software + ' ' + c.component_id.swVersion);
		cell(tr, c.peer);
		return tr;
	});
	$('clients').tBodies[0].replaceChildren(...rows);
	$('client-count').textContent = String(state.clients.length);
}

function renderMaps() {
	const maps = [...state.maps.values()].sort((a, b) =>
		mapId(a.bank.bankId, a.bank.slotNr) - mapId(b.bank.bankId, b.bank.slotNr));
	const rows = maps.map((m) => {
		const id = mapId(m.bank.bankId, m.bank.slotNr);
		const tr = document.createElement('tr');
		tr.id = 'map-' + id;
		cell(tr, id, 'mono');
		cell(tr, m.client.clientId + ':' + m.client.slotNr, 'mono');
		cell(tr, m.bank.bankId + ':' + m.bank.slotNr, 'mono');
		cell(tr, m.state.toLowerCase() + (m.error ? ' (' + m.error + ')' : ''),
		     'state-' + m.state.toLowerCase());
		const actions = cell(tr, '');
		if (state.write)
			actions.appendChild(button('unmap', 'unmap', () => unmap(id)));
		return tr;
	});
	$('maps').tBodies[0].replaceChildren(...rows);
	$('map-count').textContent = String(maps.length);
}

function renderAll() {
	$('map-panel').hidden = !state.write;
	$('rights').textContent = (state.token ? state.token + ': ' : '') +
		(state.write ? 'may change maps' : 'read only');
	renderBanks();
	renderClients();
	renderMaps();
	renderSlots();
}

// one redraw per frame however many events came
let pending = false;
function redraw(all) {
	if (pending)
		return;
	pending = true;
	requestAnimationFrame(() => {
		pending = false;
		renderAll();
	});
}

// ---- changes ----

function say(text, error) {
	$('map-result').textContent = text;
	$('map-result').className = error ? 'error' : '';
}

async function makeMap(ev) {
	ev.preventDefault();
	const client = $('map-client').value.trim().replace(/^c/i, '').split(':').map(Number);
	const target = $('map-target').value.trim();
	const body = { client: { clientId: client[0], slotNr: client[1] } };
	if (/^\d+:\d+$/.test(target)) {
		const [bankId, slotNr] = target.split(':').map(Number);
		body.bank = { bankId, slotNr };
	} else {
		body.iccid = target;
	}
	try {
		const map = await api('POST', API + '/slotmaps', body);
		const id = mapId(map.bank.bankId, map.bank.slotNr);
		// the event stream may have told a newer state already
		if (!state.maps.has(id))
			state.maps.set(id, map);
		say('client ' + client.join(':') + ' now uses bank slot ' + map.bank.bankId + ':' +
		    map.bank.slotNr);
		redraw();
	} catch (e) {
		say(e.message, true);
	}
}

async function unmap(id) {
	try {
		await api('DELETE', API + '/slotmaps/' + id);
		state.maps.delete(id);
		redraw();
	} catch (e) {
		say(e.message, true);
	}
}

async function reset(slot) {
	try {
		await api('POST', API + '/slots/' + slot.bank_id + '/' + slot.slot + '/reset');
		say('card of bank slot ' + key(slot.bank_id, slot.slot) + ' reset');
	} catch (e) {
		say(e.message, true);
	}
}

// ---- the event stream ----

let listening = false;

function listen() {
	if (listening)
		return;
	listening = true;
	// EventSource sends no headers: the events route alone takes the token in the URL
	const es = new EventSource(API + '/events' +
		(token() ? '?access_token=' + encodeURIComponent(token()) : ''));
	es.addEventListener('open', () => {
		$('live').textContent = 'live';
		$('live').className = 'badge';
		// whatever happened while the stream was down
		loadAll().catch((e) => say(e.message, true));
	});
	es.addEventListener('error', () => {
		$('live').textContent = 'reconnecting';
		$('live').className = 'badge off';
	});
	es.addEventListener('slot', (e) => {
		const ev = JSON.parse(e.data);
		if (ev.event === 'slot-removed')
			state.slots.delete(key(ev.slot.bank_id, ev.slot.slot));
		else
			putSlot(ev.slot);
		state.order = state.order.filter((k) => state.slots.has(k));
		redraw();
	});
	es.addEventListener('map', (e) => {
		const ev = JSON.parse(e.data);
		const id = mapId(ev.map.bank.bankId, ev.map.bank.slotNr);
		if (ev.event === 'map-removed')
			state.maps.delete(id);
		else
			state.maps.set(id, ev.map);
		redraw();
	});
	const reload = () => loadAll().catch((err) => say(err.message, true));
	es.addEventListener('bank', reload);
	es.addEventListener('client', reload);
}

$('map-form').addEventListener('submit', makeMap);
$('search').addEventListener('input', (e) => {
	state.query = e.target.value;
	state.page = 0;
	renderSlots();
});
$('page-prev').addEventListener('click', () => { state.page--; renderSlots(); });
$('page-next').addEventListener('click', () => { state.page++; renderSlots(); });
function start() {
	const started = performance.now();
	loadAll().then(() => {
		state.loadedAt = performance.now() - started;
		document.body.dataset.ready = String(Math.round(state.loadedAt));
		listen();
	}).catch((e) => say(e.message, true));
}

$('token-form').addEventListener('submit', (e) => {
	e.preventDefault();
	sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
	$('token').value = '';
	$('token-form').hidden = true;
	start();
});
start();
