import { describe, expect, it } from 'vitest';
import { parseCommand, substituteReferences } from './batch.methods.js';

const collected = {
  result: { me: { ID: '7', UF_DEPARTMENT: [3, 4] }, list: [{ ID: '1' }] },
  error: {},
  total: { list: 51 },
  next: { list: 50 },
  time: {},
};

describe('batch commands', () => {
  it('parses method?query with bracket notation, lower-casing the method', () => {
    expect(parseCommand('CRM.Deal.List.json?start=50&filter[STAGE_ID]=WON&select[]=ID')).toEqual({
      method: 'crm.deal.list',
      params: { start: '50', filter: { STAGE_ID: 'WON' }, select: ['ID'] },
    });
  });

  it('keeps the type of whole-value references and string-replaces embedded ones', () => {
    expect(substituteReferences({ dep: '$result[me][UF_DEPARTMENT]', id: '$result[me][ID]' }, collected)).toEqual({
      dep: [3, 4],
      id: '7',
    });
    expect(
      substituteReferences({ title: 'user $result[me][ID] of $total[list]', start: '$next[list]' }, collected),
    ).toEqual({
      title: 'user 7 of 51',
      start: 50,
    });
  });

  it('leaves unresolvable references as they are', () => {
    expect(substituteReferences({ a: '$result[nope][ID]', b: 'x $result[list][9][ID]' }, collected)).toEqual({
      a: '$result[nope][ID]',
      b: 'x $result[list][9][ID]',
    });
  });
});
