// @ts-check
/** What the others are doing, as this page keeps it: strokes being drawn and their landing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Interaction } from '../../ui/js/interaction.js';

const cursor = { x: 10, y: 10, name: 'Ada', color: '#e03131', at: 0 };
/** @param {number} n */
const stroke = (n) => ({ id: 's1', type: 'pencil', points: Array.from({ length: n }, (_, i) => ({ x: i, y: 0 })) });

test('a stroke\'s live copy arriving after the stroke landed is not shown again', () => {
  // The host sends a stalled receiver its queued changes before the newest
  // cursor move of each sender: the stroke, its undo, then the move that
  // still carried it being drawn.
  const state = new Interaction();
  state.peerMoved('ada', cursor, /** @type {any} */ (stroke(5)), []);
  assert.equal(state.remoteDrafts.size, 1);
  state.peerLanded('ada', true, 's1');
  assert.equal(state.remoteDrafts.size, 0, 'the stroke landed');
  state.peerMoved('ada', cursor, /** @type {any} */ (stroke(5)), []);
  assert.equal(state.remoteDrafts.size, 0, 'its late live copy is not drawn');
  state.peerMoved('ada', cursor, /** @type {any} */ ({ ...stroke(3), id: 's2' }), []);
  assert.equal(state.remoteDrafts.get('ada')?.id, 's2', 'the next stroke is');
});

test('the strokes a person finished are forgotten when they leave', () => {
  const state = new Interaction();
  state.peerMoved('ada', cursor, null, []);
  state.peerLanded('ada', true, 's1');
  state.keepPeers(new Set());
  assert.equal(state.cursors.size, 0);
  assert.equal(state.cursorGlide.position('ada'), undefined);
});
