import { Migration } from '@mikro-orm/migrations';

/**
 * Usage reservations in one statement, many at a time (adapters/mikro-orm/postgresql-reservation-batch.ts):
 * `comms_reserve_usage(batch)` takes reservations as one jsonb array, each `{a: agent id, c: claims, r: usage
 * records}` with claims `[counter, window start, window end, amount, cap]` (an agent's claims merged, in
 * counter-then-window order), and answers one row per reservation, in order: `refused_claim` null and the
 * counters' new values (one per claim), or the index of the first claim without room and that counter's value.
 *
 * Every counter row the batch touches is locked (created when missing) first, in one order for every batch and
 * every process (agent, counter, window start, byte order), so batches cannot deadlock; then each reservation is
 * decided in turn against the values left by the ones before it, all or nothing: an admitted one adds all its
 * amounts and stores its records, a refused one changes nothing (a row created only for it is removed again).
 *
 * The commit does not wait for the WAL flush (set_config local to the caller's implicit transaction): every send
 * of an agent updates the same counter rows, locked until commit, so a flush per reservation would cap one
 * agent's sends. The action's own row is written after this returns by a synchronous commit, which flushes the
 * WAL past this one: a crash loses a reservation only when its action was never stored, so nothing was sent.
 * PostgreSQL only: SQLite reserves in its own write batch (usage-repository.ts).
 */
export class Migration20261205110100_usage_reserve_batch extends Migration {
  override up(): void {
    this.addSql(`create or replace function comms_reserve_usage(batch jsonb)
      returns table (refused_claim integer, counter_values bigint[]) language plpgsql as $$
      declare
        -- The counter rows the batch touches, in lock order: key, value as the batch goes, cap of the last
        -- admitted claim, whether this batch created the row, whether an admitted reservation claimed it.
        v_agent text[]; v_counter text[]; v_start timestamptz[]; v_used bigint[]; v_cap bigint[]; v_fresh boolean[]; v_kept boolean[];
        -- Every claim, by reservation then claim: its row (index into the arrays above), reservation, amount, cap.
        v_row integer[]; v_item integer[]; v_amount bigint[]; v_claim_cap bigint[];
        v_claims integer;
        v_admitted integer[] := '{}';
        v_head integer := 1;
        v_tail integer;
        v_refusal integer;
        v_values bigint[];
        v_p integer;
      begin
        perform set_config('synchronous_commit', 'off', true);
        with claim as (
          select r.rn::integer as item, c.cn::integer as claim_no, r.reservation->>'a' as agent_id, c.claim->>0 as counter,
                 (c.claim->>1)::timestamptz as window_start, (c.claim->>2)::timestamptz as window_end,
                 (c.claim->>3)::bigint as amount, (c.claim->>4)::bigint as cap
          from jsonb_array_elements(batch) with ordinality as r(reservation, rn),
               jsonb_array_elements(r.reservation->'c') with ordinality as c(claim, cn)
        ), locked as (
          insert into usage_counters as u (agent_id, counter, window_start, window_end, used, cap)
          select agent_id, counter, window_start, max(window_end), 0, max(cap) from claim
          group by agent_id, counter, window_start
          order by agent_id collate "C", counter collate "C", window_start
          on conflict (agent_id, counter, window_start) do update set used = u.used
          returning u.agent_id, u.counter, u.window_start, u.used, u.cap, u.xmax = 0 as fresh
        ), ranked as (
          select l.*, row_number() over (order by l.agent_id collate "C", l.counter collate "C", l.window_start)::integer as p from locked l
        )
        select k.agents, k.counters, k.starts, k.used, k.caps, k.fresh, k.kept, c.claim_rows, c.items, c.amounts, c.caps
        into v_agent, v_counter, v_start, v_used, v_cap, v_fresh, v_kept, v_row, v_item, v_amount, v_claim_cap
        from (select array_agg(agent_id order by p) as agents, array_agg(counter order by p) as counters,
                     array_agg(window_start order by p) as starts, array_agg(used order by p) as used, array_agg(cap order by p) as caps,
                     array_agg(fresh order by p) as fresh, array_agg(false) as kept from ranked) as k,
             (select array_agg(ranked.p order by claim.item, claim.claim_no) as claim_rows, array_agg(claim.item order by claim.item, claim.claim_no) as items,
                     array_agg(claim.amount order by claim.item, claim.claim_no) as amounts, array_agg(claim.cap order by claim.item, claim.claim_no) as caps
              from claim join ranked on ranked.agent_id = claim.agent_id and ranked.counter = claim.counter and ranked.window_start = claim.window_start) as c;
        v_claims := coalesce(array_length(v_row, 1), 0);

        for v_n in 1 .. jsonb_array_length(batch) loop
          v_tail := v_head;
          while v_tail <= v_claims and v_item[v_tail] = v_n loop v_tail := v_tail + 1; end loop;
          -- Claims v_head .. v_tail - 1 are this reservation's.
          v_refusal := null;
          for v_q in v_head .. v_tail - 1 loop
            if v_used[v_row[v_q]] + v_amount[v_q] > v_claim_cap[v_q] then
              v_refusal := v_q;
              exit;
            end if;
          end loop;
          if v_refusal is null then
            v_values := '{}';
            for v_q in v_head .. v_tail - 1 loop
              v_p := v_row[v_q];
              v_used[v_p] := v_used[v_p] + v_amount[v_q];
              v_cap[v_p] := v_claim_cap[v_q];
              v_kept[v_p] := true;
              v_values := v_values || v_used[v_p];
            end loop;
            v_admitted := v_admitted || v_n;
            refused_claim := null;
            counter_values := v_values;
          else
            refused_claim := v_refusal - v_head;
            counter_values := array[v_used[v_row[v_refusal]]];
          end if;
          return next;
          v_head := v_tail;
        end loop;

        update usage_counters u set used = k.used, cap = k.cap
        from unnest(v_agent, v_counter, v_start, v_used, v_cap, v_kept) as k(agent_id, counter, window_start, used, cap, kept)
        where k.kept and u.agent_id = k.agent_id and u.counter = k.counter and u.window_start = k.window_start;
        if true = any(v_fresh) then
          delete from usage_counters u
          using unnest(v_agent, v_counter, v_start, v_fresh, v_kept) as k(agent_id, counter, window_start, fresh, kept)
          where k.fresh and not k.kept and u.agent_id = k.agent_id and u.counter = k.counter and u.window_start = k.window_start;
        end if;
        insert into usage_records (id, agent_id, channel, action, units, unit, provider, destination, cost_micros, price_micros,
          markup_bp, currency, cost_source, state, held_until, shares, message_id, call_id, created_at, updated_at)
        select x.id, x.agent_id, x.channel, x.action, x.units, x.unit, x.provider, x.destination, x.cost_micros, x.price_micros,
          x.markup_bp, x.currency, x.cost_source, x.state, x.held_until, x.shares, x.message_id, x.call_id, x.created_at, x.updated_at
        from jsonb_array_elements(batch) with ordinality as r(reservation, rn),
          jsonb_to_recordset(r.reservation->'r') as x(id text, agent_id text, channel text, action text, units integer, unit text,
            provider text, destination text, cost_micros bigint, price_micros bigint, markup_bp integer, currency text, cost_source text,
            state text, held_until timestamptz, shares jsonb, message_id text, call_id text, created_at timestamptz, updated_at timestamptz)
        where r.rn = any(v_admitted);
      end
    $$`);
  }

  override down(): void {
    this.addSql('drop function if exists comms_reserve_usage(jsonb)');
  }
}
