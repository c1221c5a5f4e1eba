// The clinic overview's model, without the DOM (clinic.js draws it; tests/clinic-state.test.js
// checks it in Node): every room's messages, as each room's bridge brings them to the clinic's
// broker (docs/clinic.md), go in; one row per room comes out, those that need attention first.
// Each room's messages are read by the tablet's own RoomState, so a room means the same here as
// on its tablets. A classic script, as room-state.js.
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory(require('./room-state.js'));
  else root.ClinicState = factory(root.RoomState);
})(typeof self !== 'undefined' ? self : this, function (RoomState) {
  'use strict';

  const TOPIC = /^sensoryd\/([^/]+)\/(.+)$/;
  // A room heard from longer ago than this (nothing at all: no state, no series) is said quiet.
  const QUIET_MS = 60000;
  // Two runs of sensoryd taking turns on one room's topics are two rooms that share its id
  // (docs/clinic.md); said until one run alone has been heard for this long.
  const CONFLICT_HOLD_MS = 10 * 60000;
  const LINK_TEXT = { up: 'Link up', down: 'Link down', unknown: 'Link state unknown' };
  // The runs remembered per room (a restart adds one).
  const MAX_INSTANCES = 8;
  // What a row's attention means, highest first: the order of the list.
  const ATTENTION = {
    conflict: 4, // two rooms send under one id: nothing of theirs can be shown as one room's
    tripped: 3, // a trip latched, or motion refused for a cause
    unreachable: 2, // the room offline, or its link to the clinic down
    device: 1, // a device not OK
    none: 0,
  };

  function create() {
    return { rooms: new Map() };
  }

  function roomOf(clinic, id) {
    let room = clinic.rooms.get(id);
    if (!room) {
      // instances: each run of sensoryd heard (the session's `instance`) and when first heard;
      // newest: the one heard last for the first time, or again after another.
      room = { id, state: RoomState.create(id), uplink: null, lastMs: null, instances: new Map(), newest: null, conflictMs: null };
      clinic.rooms.set(id, room);
    }
    return room;
  }

  // A restart brings a new run that the old one never follows; two rooms with one id take turns:
  // a run heard again after another began is the sign.
  function noteInstance(room, text, nowMs) {
    let instance;
    try {
      instance = JSON.parse(text).instance;
    } catch (e) {
      return;
    }
    if (typeof instance !== 'string' || instance === '') return;
    if (!room.instances.has(instance)) {
      room.instances.set(instance, nowMs);
      if (room.instances.size > MAX_INSTANCES) room.instances.delete(room.instances.keys().next().value);
    } else if (instance !== room.newest) {
      room.conflictMs = nowMs;
    }
    room.newest = instance;
  }

  // One message from the clinic's broker; true when it changed what the page shows.
  function applyMessage(clinic, topic, text, nowMs) {
    const match = TOPIC.exec(topic);
    if (!match) return false;
    const room = roomOf(clinic, match[1]);
    if (match[2] === 'uplink') {
      room.uplink = text === '1' ? 'up' : text === '0' ? 'down' : null;
      return true;
    }
    if (match[2] === 'session') noteInstance(room, text, nowMs);
    if (!RoomState.applyMessage(room.state, topic, text, nowMs)) return false;
    room.lastMs = nowMs;
    return true;
  }

  // Two rooms under one id: what either sends is shown as neither's, and no stop is offered
  // (both rooms' bridges would take it).
  function conflictRow(room, nowMs) {
    return {
      id: room.id,
      attention: ATTENTION.conflict,
      online: true,
      link: room.uplink || 'unknown',
      linkText: LINK_TEXT[room.uplink || 'unknown'],
      sessionState: 'unknown',
      stateText: 'Two rooms use this id',
      profile: '',
      remaining: '',
      therapist: '',
      reasons: [
        'Two rooms send as ' + room.id + ' (their sensoryd runs take turns here): what they send is mixed, so none of it is shown. ' +
          'Give one of them an id of its own (scripts/provision-clinic --room, scripts/provision-room --room).',
      ],
      age: 'last message ' + RoomState.formatAgo(nowMs - room.lastMs),
      quiet: false,
      canStop: false,
    };
  }

  function row(room, nowMs) {
    if (room.conflictMs !== null && nowMs - room.conflictMs <= CONFLICT_HOLD_MS) return conflictRow(room, nowMs);
    const state = room.state;
    const session = state.session || { state: 'idle' };
    const safety = state.safety || {};
    const idle = (session.state || 'idle') === 'idle';
    const causes = (Array.isArray(safety.causes) ? safety.causes : []).map((c) => c.detail || c.cause);
    const devices = Object.entries(state.devices)
      .map(([id, device]) => RoomState.deviceView(id, device))
      .filter((d) => d.health !== 'online')
      .map((d) => d.label + ': ' + d.healthText + (d.text ? ' (' + d.text + ')' : ''));
    const online = state.availability === 'online';
    const tripped = safety.tripped === true || (state.safety && safety.motion_allowed === false && causes.length > 0);
    const reasons = [];
    let attention = ATTENTION.none;
    if (tripped) {
      attention = ATTENTION.tripped;
      reasons.push((safety.tripped ? 'Tripped: ' : 'Motion not allowed: ') + (causes.join('; ') || 'no cause given'));
    }
    if (!online || room.uplink === 'down') {
      attention = Math.max(attention, ATTENTION.unreachable);
      reasons.push(room.uplink === 'down' ? "The room's link to the clinic is down: what is shown is its last state." : 'The room is offline.');
    }
    if (devices.length > 0) {
      attention = Math.max(attention, ATTENTION.device);
      reasons.push('Not OK: ' + devices.join('; '));
    }
    const profile = (state.profiles.find((p) => p.id === session.profile) || {}).title || session.profile || '';
    return {
      id: room.id,
      attention,
      online,
      link: room.uplink || 'unknown',
      linkText: LINK_TEXT[room.uplink || 'unknown'],
      sessionState: session.state || 'idle',
      stateText: RoomState.SESSION_STATE_TEXT[session.state || 'idle'] || session.state,
      profile: idle ? '' : profile,
      remaining: idle || typeof session.remaining_s !== 'number' ? '' : RoomState.formatSeconds(session.remaining_s) + ' left',
      therapist: idle ? '' : session.therapist || '',
      reasons,
      age: room.lastMs === null ? 'nothing heard yet' : 'last message ' + RoomState.formatAgo(nowMs - room.lastMs),
      quiet: room.lastMs === null || nowMs - room.lastMs > QUIET_MS,
      // The clinic may stop a session (docs/clinic.md); never start one.
      canStop: online && room.uplink !== 'down' && !idle && session.state !== 'winding_down',
    };
  }

  // Every room heard of, those that need attention first, then by id.
  function rows(clinic, nowMs) {
    return [...clinic.rooms.values()]
      .map((room) => row(room, nowMs))
      .sort((a, b) => b.attention - a.attention || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  return { ATTENTION, QUIET_MS, CONFLICT_HOLD_MS, create, applyMessage, rows };
});
