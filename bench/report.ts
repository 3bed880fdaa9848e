/** The benchmark's output: terminal tables and an SVG chart, both from results.json. */
import type { DatabaseResults } from './in-process';
import type { Scale } from './options';
import { checkTargets } from './targets';
import type { LatencySummary } from './types';

export interface BenchResults {
  date: string;
  /** The whole run, every database and stage. */
  durationSeconds: number;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; os: string };
  scale: Scale;
  databases: DatabaseResults[];
}

const ms = (value: number | undefined) =>
  value === undefined ? '-' : value >= 100 ? value.toFixed(0) : value.toFixed(2);
const count = (value: number | undefined) =>
  value === undefined ? '-' : Math.round(value).toLocaleString('en');

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}

export function databaseTitle(db: DatabaseResults): string {
  return `${db.version} (${db.db}): ${count(db.seed.users)} users, ${count(db.seed.friendships)} friendships, ${count(db.seed.messages)} messages`;
}

/**
 * The chat list at one page for the many-chats user against the readers, who have few
 * chats: handler p50 many ÷ few at each scaling point (1.00x: chats beyond the page cost
 * nothing).
 */
function chatPageComparison(scale: Scale, db: DatabaseResults): string | undefined {
  const entry = (name: string) => db.scaling.endpoints.find((found) => found.name === name);
  const [few, many] = [entry('chats, few chats'), entry('chats, many chats')];
  if (!few || !many) return undefined;
  const page = scale.readers.shortConversations + 1;
  const ratio = (point: 'low' | 'full') =>
    `${((many[point].handler[0]?.p50Ms ?? 0) / (few[point].handler[0]?.p50Ms ?? 1)).toFixed(2)}x`;
  return `Chat list, a page of ${page}: ${count(scale.manyChats)} chats ÷ ${page} chats, handler p50 ${ratio('low')} at ${count(db.scaling.low)} messages, ${ratio('full')} at ${count(db.scaling.full)}`;
}

export function formatReport(results: BenchResults): string {
  const parts: string[] = [
    `chat-backend benchmark, ${results.date}, scale ${results.scale.name}, ${Math.round(results.durationSeconds)} s`,
    `${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}`,
  ];
  for (const db of results.databases) {
    parts.push(
      '',
      `== ${databaseTitle(db)}`,
      `seeded in ${db.seed.lowSeconds} s (low point) + ${db.seed.fullSeconds} s (rest)`,
    );
    if (db.endpoints.length > 0) {
      parts.push(
        '',
        'In process, warm (ms; c1 = one caller at a time, c8 = eight at once):',
        table(
          [
            'endpoint',
            'p50',
            'p95',
            'p99',
            'ops/s',
            'c8 p50',
            'c8 ops/s',
            'base p50',
            'base c8 ops/s',
            'ratio',
            'stmts',
            'sql ms',
          ],
          db.endpoints.map((entry) => {
            const [one, eight] = entry.handler;
            const [baseOne, baseEight] = entry.baseline;
            return [
              entry.name,
              ms(one?.p50Ms),
              ms(one?.p95Ms),
              ms(one?.p99Ms),
              count(one?.opsPerSecond),
              ms(eight?.p50Ms),
              count(eight?.opsPerSecond),
              ms(baseOne?.p50Ms),
              count(baseEight?.opsPerSecond),
              `${entry.ratio.toFixed(2)}x`,
              `${entry.statements.handler}/${entry.statements.baseline}`,
              ms(entry.handlerSqlMs),
            ];
          }),
        ),
      );
    }
    if (db.scaling.endpoints.length > 0) {
      parts.push(
        '',
        `Scaling, c1 p50 (ms) at ${count(db.scaling.low)} and ${count(db.scaling.full)} messages:`,
        table(
          ['endpoint', 'handler low', 'handler full', 'growth', 'base low', 'base full'],
          db.scaling.endpoints.map((entry) => [
            entry.name,
            ms(entry.low.handler[0]?.p50Ms),
            ms(entry.full.handler[0]?.p50Ms),
            `${((entry.full.handler[0]?.p50Ms ?? 0) / (entry.low.handler[0]?.p50Ms ?? 1)).toFixed(2)}x`,
            ms(entry.low.baseline[0]?.p50Ms),
            ms(entry.full.baseline[0]?.p50Ms),
          ]),
        ),
      );
      const chatPage = chatPageComparison(results.scale, db);
      if (chatPage) parts.push(chatPage);
    }
    if (db.coldStart.length > 0) {
      parts.push(
        '',
        'Cold start (fresh Node process per function):',
        table(
          ['function', 'bundle KB', 'init ms', 'first call ms', 'second call ms', 'RSS MB'],
          db.coldStart.map((entry) => [
            entry.function,
            count(entry.bundleBytes / 1000),
            ms(entry.initMs),
            ms(entry.firstInvokeMs),
            ms(entry.secondInvokeMs),
            count(entry.rssMb),
          ]),
        ),
      );
    }
    if (db.http.length > 0) {
      parts.push(
        '',
        'HTTP through serverless-offline (the local emulator, not Lambda):',
        table(
          ['endpoint', 'connections', 'req/s', 'p50', 'p90', 'p99', 'non-2xx', 'errors'],
          db.http.map((entry) => [
            entry.endpoint,
            String(entry.connections),
            count(entry.requestsPerSecond),
            ms(entry.p50Ms),
            ms(entry.p90Ms),
            ms(entry.p99Ms),
            String(entry.non2xx),
            String(entry.errors),
          ]),
        ),
      );
    }
    if (db.push) {
      const { overhead } = db.push;
      const row = (label: string, run: LatencySummary, functionP50?: number) => [
        label,
        ms(run.p50Ms),
        ms(run.p95Ms),
        ms(run.p99Ms),
        ms(functionP50),
      ];
      parts.push(
        '',
        `Push through serverless-offline's WebSocket API (ms; send start to message.new at the receiver, ${db.push.pairs} pairs):`,
        table(
          ['senders', 'sends', 'p50', 'p95', 'p99', 'send p50', 'function p50', 'frame first'],
          db.push.latency.map((run) => [
            String(run.concurrency),
            count(run.ops),
            ms(run.p50Ms),
            ms(run.p95Ms),
            ms(run.p99Ms),
            ms(run.sendP50Ms),
            ms(run.handlerP50Ms),
            `${Math.round(run.frameFirstShare * 100)}%`,
          ]),
        ),
        '',
        `Send round trip, ${count(overhead.sends)} sends each, alternating blocks (ms):`,
        table(
          ['receiver', 'p50', 'p95', 'p99', 'function p50'],
          [
            row(
              `${overhead.sockets} sockets open`,
              overhead.connected,
              overhead.handlerP50Ms?.connected,
            ),
            row('not connected', overhead.disconnected, overhead.handlerP50Ms?.disconnected),
          ],
        ),
        `ratio ${overhead.ratio.toFixed(2)}x (function p50: messageSend's duration as serverless-offline logs it, worker-thread hand-off included)`,
      );
    }
    if (db.costs && db.costs.length > 0) {
      parts.push(
        '',
        'Costs that grow (bench/costs; p50 / p99 ms at the small and the large size):',
        table(
          ['case', 'sizes', 'small', 'large', 'ratio p50 / p99', 'met'],
          db.costs.map((cost) => [
            cost.name,
            `${count(cost.small.size)} → ${count(cost.large.size)} ${cost.sizeLabel}`,
            `${ms(cost.small.p50Ms)} / ${ms(cost.small.p99Ms)}`,
            `${ms(cost.large.p50Ms)} / ${ms(cost.large.p99Ms)}`,
            `${cost.ratioP50.toFixed(2)}× / ${cost.ratioP99.toFixed(2)}×`,
            cost.met ? 'yes' : 'no',
          ]),
        ),
      );
    }
    const short = db.endpoints
      .concat(db.scaling.endpoints.flatMap((e) => [e.low, e.full]))
      .flatMap((entry) =>
        [...entry.handler, ...entry.baseline]
          .filter((run) => run.ops < entry.calls)
          .map((run) => `${entry.name} (c${run.concurrency}: ${run.ops} of ${entry.calls})`),
      );
    if (short.length > 0) {
      parts.push(
        '',
        `Runs cut short by the time limit or an empty pool (fewer samples): ${short.join(', ')}`,
      );
    }
    const checks = checkTargets(db);
    if (checks.length > 0) {
      const missed = checks.filter((check) => !check.met);
      parts.push('', `Targets: ${checks.length - missed.length} of ${checks.length} met`);
      for (const check of missed) {
        parts.push(`  missed: ${check.subject}: ${check.target} (${check.value})`);
      }
    }
  }
  return parts.join('\n');
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Bar {
  label: string;
  values: number[];
  note?: string;
}

/** Horizontal grouped bars, one row per label; returns the SVG fragment and its height. */
function barPanel(
  title: string,
  series: string[],
  bars: Bar[],
  top: number,
  width: number,
): { svg: string; height: number } {
  const colors = ['#2563eb', '#9ca3af', '#f59e0b'];
  const labelWidth = 150;
  const barHeight = 9;
  const rowHeight = barHeight * series.length + 8;
  const plotWidth = width - labelWidth - 110;
  const max = Math.max(...bars.flatMap((bar) => bar.values), 0.001);
  const lines: string[] = [
    `<text x="10" y="${top + 14}" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  series.forEach((name, index) => {
    const x = labelWidth + index * 150;
    lines.push(
      `<rect x="${x}" y="${top + 22}" width="10" height="10" fill="${colors[index]}"/>`,
      `<text x="${x + 14}" y="${top + 31}" font-size="11">${escapeXml(name)}</text>`,
    );
  });
  bars.forEach((bar, row) => {
    const y = top + 42 + row * rowHeight;
    lines.push(
      `<text x="${labelWidth - 6}" y="${y + rowHeight / 2}" font-size="11" text-anchor="end">${escapeXml(bar.label)}</text>`,
    );
    bar.values.forEach((value, index) => {
      const barWidth = Math.max(1, (value / max) * plotWidth);
      const barY = y + index * barHeight;
      lines.push(
        `<rect x="${labelWidth}" y="${barY}" width="${barWidth.toFixed(1)}" height="${barHeight - 1}" fill="${colors[index]}"/>`,
        `<text x="${labelWidth + barWidth + 4}" y="${barY + barHeight - 2}" font-size="9">${ms(value)}</text>`,
      );
    });
    if (bar.note) {
      lines.push(
        `<text x="${width - 10}" y="${y + rowHeight / 2}" font-size="11" text-anchor="end">${escapeXml(bar.note)}</text>`,
      );
    }
  });
  return { svg: lines.join('\n'), height: 50 + bars.length * rowHeight };
}

/** The chart the README shows: per database, handler vs baseline, and scaling. */
export function renderChart(results: BenchResults): string {
  const width = 760;
  const sections: string[] = [];
  let top = 10;
  sections.push(
    `<text x="10" y="${top + 16}" font-size="16" font-weight="bold">chat-backend: warm handler vs hand-written SQL, p50 latency (ms)</text>`,
    `<text x="10" y="${top + 34}" font-size="11">${escapeXml(`${results.date} · ${results.machine.cpu}, ${results.machine.cores} cores · Node ${results.machine.node} · scale ${results.scale.name}`)}</text>`,
  );
  top += 44;
  for (const db of results.databases) {
    sections.push(
      `<text x="10" y="${top + 16}" font-size="13" font-weight="bold" fill="#111827">${escapeXml(databaseTitle(db))}</text>`,
    );
    top += 24;
    const fast = db.endpoints.filter((entry) => (entry.baseline[0]?.p50Ms ?? 0) < 20);
    if (fast.length > 0) {
      const panel = barPanel(
        'In process, concurrency 1, p50 (bcrypt endpoints left out: bcrypt is ~all of their time)',
        ['handler', 'baseline'],
        fast.map((entry) => ({
          label: entry.name,
          values: [entry.handler[0]?.p50Ms ?? 0, entry.baseline[0]?.p50Ms ?? 0],
          note: `${entry.ratio.toFixed(2)}x`,
        })),
        top,
        width,
      );
      sections.push(panel.svg);
      top += panel.height + 10;
    }
    if (db.scaling.endpoints.length > 0) {
      const panel = barPanel(
        `Scaling: handler p50 at ${count(db.scaling.low)} and ${count(db.scaling.full)} messages`,
        [`${count(db.scaling.low)} messages`, `${count(db.scaling.full)} messages`],
        db.scaling.endpoints.map((entry) => {
          const low = entry.low.handler[0]?.p50Ms ?? 0;
          const full = entry.full.handler[0]?.p50Ms ?? 0;
          return { label: entry.name, values: [low, full], note: `${(full / low).toFixed(2)}x` };
        }),
        top,
        width,
      );
      sections.push(panel.svg);
      top += panel.height + 10;
    }
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + 10}" viewBox="0 0 ${width} ${top + 10}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...sections,
    '</svg>',
    '',
  ].join('\n');
}
