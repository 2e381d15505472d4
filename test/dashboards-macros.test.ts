import { describe, expect, it } from 'vitest';
import { applyConditionalAll, expandMacros, expandQuery, MacroError, replaceVariables, type ExpandContext } from '../src/dashboards/macros.js';

/**
 * The expansion the tests run panels through, held to what the ClickHouse plugin does
 * (grafana-clickhouse-datasource pkg/macros/macros.go, src/data/CHDatasource.ts) and the
 * SDK's macro parsing (grafana-plugin-sdk-go data/sqlutil/macros.go and its tests).
 */

// 2026-03-01T10:00:00.250Z and 2026-03-08T09:59:59.999Z: 1772359200250 and 1772963999999 ms.
const ctx: ExpandContext = {
  from: Date.UTC(2026, 2, 1, 10, 0, 0, 250),
  to: Date.UTC(2026, 2, 8, 9, 59, 59, 999),
  intervalMs: 20_000,
  variables: {
    service: { current: ['api', "o'brien"], options: ['api', 'web', "o'brien"] },
    team: { current: '$__all', options: ['core', 'storefront'] },
    env: { current: ['$__all'], options: ['production', 'prod'] },
    tz: { current: 'Europe/Berlin' },
    empty: { current: '' },
  },
};

describe('backend macros (pkg/macros/macros.go)', () => {
  it.each([
    ['$__fromTime', 'toDateTime(1772359200)'],
    ['$__toTime', 'toDateTime(1772963999)'],
    ['$__fromTime_ms', 'fromUnixTimestamp64Milli(1772359200250)'],
    ['$__toTime_ms', 'fromUnixTimestamp64Milli(1772963999999)'],
    ['$__timeFilter(t)', 't >= toDateTime(1772359200) AND t <= toDateTime(1772963999)'],
    ['$__timeFilter_ms(t)', 't >= fromUnixTimestamp64Milli(1772359200250) AND t <= fromUnixTimestamp64Milli(1772963999999)'],
    ["$__dateFilter(d)", "d >= toDate('2026-03-01') AND d <= toDate('2026-03-08')"],
    ['$__dt(d, t)', "(d >= toDate('2026-03-01') AND d <= toDate('2026-03-08')) AND (t >= toDateTime(1772359200) AND t <= toDateTime(1772963999))"],
    // 20 000 ms is 20 s.
    ['$__timeInterval(t)', 'toStartOfInterval(toDateTime(t), INTERVAL 20 second)'],
    ['$__timeInterval_ms(t)', 'toStartOfInterval(toDateTime64(t, 3), INTERVAL 20000 millisecond)'],
    ['$__interval_s', '20'],
  ])('%s', (macro, expanded) => {
    expect(expandMacros(`SELECT ${macro}`, ctx)).toEqual(`SELECT ${expanded}`);
  });

  it('an interval under a second is 1 second', () => {
    expect(expandMacros('$__interval_s $__timeInterval(t)', { ...ctx, intervalMs: 200 })).toEqual('1 toStartOfInterval(toDateTime(t), INTERVAL 1 second)');
  });

  it('arguments: nested brackets stay whole, spaces are trimmed, nothing is taken after a space', () => {
    expect(expandMacros('WHERE $__timeFilter(cast(x as DateTime) )', ctx)).toEqual(
      'WHERE cast(x as DateTime) >= toDateTime(1772359200) AND cast(x as DateTime) <= toDateTime(1772963999)',
    );
    expect(expandMacros('WHERE a > $__fromTime AND (b < $__toTime)', ctx)).toEqual('WHERE a > toDateTime(1772359200) AND (b < toDateTime(1772963999))');
    expect(expandMacros('$__fromTime (1)', ctx)).toEqual('toDateTime(1772359200) (1)');
  });

  it('a macro that needs an argument, or misses its closing bracket, is an error', () => {
    expect(() => expandMacros('WHERE $__timeFilter', ctx)).toThrow(MacroError);
    expect(() => expandMacros('WHERE $__timeFilter(t', ctx)).toThrow(/missing closing bracket/);
    expect(() => expandMacros('WHERE $__dt(t)', ctx)).toThrow(/expected 2 arguments, received 1/);
  });

  it('like the plugin, a macro is replaced wherever its text occurs, even inside its _ms twin', () => {
    // Why no dashboard query mixes $__fromTime and $__fromTime_ms (checked in dashboards-model).
    expect(expandMacros('$__fromTime, $__fromTime_ms', ctx)).toEqual('toDateTime(1772359200), toDateTime(1772359200)_ms');
  });

  it('unknown macros are left as they are', () => {
    expect(expandMacros('SELECT $__unknown(x)', ctx)).toEqual('SELECT $__unknown(x)');
  });
});

describe('variables (Grafana template service, plugin format)', () => {
  it('formats: the plugin default quotes lists, singlequote escapes, sqlstring doubles quotes, csv and raw join', () => {
    expect(replaceVariables('IN ($service)', ctx)).toEqual("IN ('api','o'brien')");
    expect(replaceVariables('IN (${service:singlequote})', ctx)).toEqual("IN ('api','o\\'brien')");
    expect(replaceVariables('IN (${service:sqlstring})', ctx)).toEqual("IN ('api','o''brien')");
    expect(replaceVariables('${service:csv} [[service:raw]]', ctx)).toEqual("api,o'brien api,o'brien");
    expect(replaceVariables('${tz:singlequote} $tz ${tz}', ctx)).toEqual("'Europe/Berlin' Europe/Berlin Europe/Berlin");
  });

  it('All stands for every option; unknown names and Grafana macros are left alone', () => {
    expect(replaceVariables('${team:singlequote} ${env:singlequote}', ctx)).toEqual("'core','storefront' 'production','prod'");
    expect(replaceVariables('$nope ${nope} $__fromTime $__interval_s', ctx)).toEqual('$nope ${nope} $__fromTime $__interval_s');
    expect(replaceVariables('$__interval $__interval_ms $__from', ctx)).toEqual(`20s 20000 ${ctx.from}`);
  });
});

describe('$__conditionalAll (plugin frontend)', () => {
  it('is 1=1 for All or an empty value, else the condition; innermost first', () => {
    const sql = 'WHERE $__conditionalAll(team IN (${team:singlequote}), $team) AND $__conditionalAll(s IN (${service:singlequote}), ${service}) AND $__conditionalAll(x = 1, $empty)';
    expect(applyConditionalAll(sql, ctx.variables)).toEqual('WHERE 1=1 AND s IN (${service:singlequote}) AND 1=1');
    expect(applyConditionalAll('$__conditionalAll(a IN (SELECT b FROM t WHERE c IN (${env:singlequote})), $env)', ctx.variables)).toEqual('1=1');
  });

  it('a call without two arguments stops the rewriting there, as in the plugin', () => {
    expect(applyConditionalAll('$__conditionalAll(a) AND $__conditionalAll(b, $team)', ctx.variables)).toEqual('$__conditionalAll(a) AND 1=1');
  });

  it('the three steps together', () => {
    const sql = 'SELECT count() FROM d WHERE $__timeFilter(t) AND $__conditionalAll(service IN (${service:singlequote}), $service) AND $__conditionalAll(team IN (${team:singlequote}), $team)';
    expect(expandQuery(sql, ctx)).toEqual(
      "SELECT count() FROM d WHERE t >= toDateTime(1772359200) AND t <= toDateTime(1772963999) AND service IN ('api','o\\'brien') AND 1=1",
    );
  });
});
