// @ts-check
/** The limits on what is shown live to the others: at and past each one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capEdits, liveShapes, MAX_LIVE_EDITS, MAX_LIVE_EDIT_BYTES } from '../../ui/js/live.js';

/** A shape whose JSON is exactly `bytes` long. @param {number} bytes */
function shapeOf(bytes) {
  const shape = { id: 's', type: 'text', points: [{ x: 0, y: 0 }], text: '' };
  shape.text = 'x'.repeat(bytes - JSON.stringify(shape).length);
  assert.equal(JSON.stringify(shape).length, bytes);
  return shape;
}

test('at most MAX_LIVE_EDITS shapes are sent, and taken from a peer', () => {
  const small = (/** @type {number} */ n) => Array.from({ length: n }, (_, i) => ({ id: `s${i}`, type: 'line', points: [] }));
  assert.equal(capEdits(small(MAX_LIVE_EDITS)).length, MAX_LIVE_EDITS);
  assert.equal(capEdits(small(MAX_LIVE_EDITS + 1)).length, MAX_LIVE_EDITS);
  assert.equal(liveShapes(small(MAX_LIVE_EDITS)).length, MAX_LIVE_EDITS);
  assert.equal(liveShapes(small(MAX_LIVE_EDITS + 1)).length, MAX_LIVE_EDITS);
});

test('shapes sent live fit in MAX_LIVE_EDIT_BYTES of JSON', () => {
  assert.equal(capEdits([shapeOf(MAX_LIVE_EDIT_BYTES)]).length, 1, 'at the limit');
  assert.equal(capEdits([shapeOf(MAX_LIVE_EDIT_BYTES + 1)]).length, 0, 'one byte past it');
  const half = shapeOf(MAX_LIVE_EDIT_BYTES / 2);
  assert.equal(capEdits([half, half, half]).length, 2, 'the ones that fit, in order');
});

test('a peer\'s edits are taken only when well formed', () => {
  assert.deepEqual(liveShapes('not a list'), []);
  assert.deepEqual(liveShapes([null, 7, { id: 1, type: 'line', points: [] }, { id: 'a', type: 'line' }]), []);
  assert.equal(liveShapes([{ id: 'a', type: 'line', points: [] }]).length, 1);
});
