// Validations per second of a maximal layout (20 blocks, 2 tags, 2 buttons, a full menu), with a same-run
// baseline: JSON.parse(JSON.stringify()) of the same object, the least any consumer of the layout pays.
// Run alone: node --conditions=development --import tsx bench/layout.bench.ts
import { pathToFileURL } from 'node:url';
import {
  body,
  button,
  type ContentBlock,
  deadlineBlock,
  footer,
  header,
  largeTextBlock,
  type Layout,
  layout,
  lineOfBlocks,
  linkBlock,
  menu,
  menuItem,
  openRestApp,
  redirect,
  restEvent,
  tag,
  textBlock,
  validateLayout,
  withTitle,
} from '@b24app/layout';
import { formatTable, type Metric } from './results.js';

const params = (i: number) =>
  Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`p${k}`, k % 2 === 0 ? `v${i}-${k}` : i * 100 + k]));

function block(i: number): ContentBlock {
  const text = { en: `Value ${i}`, de: `Wert ${i}`, ru: `Значение ${i}` };
  switch (i % 6) {
    case 0:
      return textBlock(text, { multiline: true, bold: true, size: 'sm', color: 'base_70', title: `Title ${i}` });
    case 1:
      return largeTextBlock('Lorem ipsum dolor sit amet. '.repeat(20));
    case 2:
      return linkBlock(`Deal ${i}`, redirect(`/crm/deal/details/${i}/`), { bold: true });
    case 3:
      return withTitle({ en: 'Client', de: 'Kunde' }, textBlock(`Client ${i}`), { inline: true });
    case 4:
      return lineOfBlocks({
        a: textBlock('Call'),
        b: linkBlock('+1 999 888 7777', openRestApp({ actionParams: params(i) })),
        c: deadlineBlock({ readonly: true }),
        d: textBlock('today', { bold: true }),
      });
    default:
      return withTitle('Deadline', deadlineBlock(), { inline: true, scope: 'web' });
  }
}

export function maximalLayout(): Layout {
  return layout({
    icon: 'call-completed',
    header: header(
      { en: 'Incoming call', de: 'Eingehender Anruf' },
      {
        titleAction: redirect('/crm/deal/details/123/'),
        tags: {
          status: tag('not transcribed', 'warning', openRestApp({ actionParams: { id: 1 } })),
          channel: tag({ en: 'Phone', de: 'Telefon' }, 'primary'),
        },
      },
    ),
    body: body(
      { code: 'call-incoming', action: redirect('/crm/deal/details/123/') },
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`block${i}`, block(i)])),
    ),
    footer: footer({
      buttons: {
        approve: button(
          'Approve',
          'primary',
          restEvent('approve', { actionParams: params(1), animationType: 'loader' }),
        ),
        reject: button(
          'Reject',
          'secondary',
          restEvent('reject', { actionParams: params(2), animationType: 'disable' }),
        ),
      },
      menu: menu(
        Array.from({ length: 10 }, (_, i) => menuItem(`Item ${i}`, restEvent(`item${i}`, { actionParams: params(i) }))),
        { showPostponeItem: false, showPinItem: true, showDeleteItem: true },
      ),
    }),
  });
}

/** Runs fn in batches until `ms` have passed (after a warm-up) and returns calls per second. */
function measure(fn: () => unknown, ms = 1500): number {
  for (let i = 0; i < 300; i++) fn();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 100; i++) fn();
    calls += 100;
    elapsed = performance.now() - start;
  }
  return Math.round((calls * 1000) / elapsed);
}

export async function run(): Promise<Metric[]> {
  // As received over the wire: a fresh JSON value, not the builder's objects.
  const wire: unknown = JSON.parse(JSON.stringify(maximalLayout()));
  const first = validateLayout(wire);
  if (!first.ok) throw new Error('bench layout is invalid');
  const bytes = JSON.stringify(wire).length;

  const broken = JSON.parse(JSON.stringify(wire));
  broken.header.tags.third = { title: 'x', type: 'danger' };
  broken.footer.buttons.approve.action.animationType = 'spin';
  delete broken.body.blocks.block0.properties.value;
  const rejected = validateLayout(broken);
  if (rejected.ok || rejected.issues.length !== 4) throw new Error('bench broken layout should have 4 issues');

  const baseline = measure(() => JSON.parse(JSON.stringify(wire)));
  const valid = measure(() => validateLayout(wire));
  const invalid = measure(() => validateLayout(broken));
  const note = `maximal layout: 20 blocks, 2 tags, 2 buttons, 10 menu items, ${bytes} bytes of JSON`;
  return [
    {
      name: 'layout.validate_ops_per_s',
      value: valid,
      unit: 'ops/s',
      baseline: baseline,
      note: `${note}; baseline = JSON.parse(JSON.stringify()), ${(baseline / valid).toFixed(1)}× cheaper`,
    },
    { name: 'layout.validate_invalid_ops_per_s', value: invalid, unit: 'ops/s', note: 'the error path, 4 issues' },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTable(await run()));
}
