import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { sentenceFor } from '../errors';
import { toneOf } from '../status';

export function Badge({ value, label }: { value: string; label?: string }) {
  return <span class={`badge tone-${toneOf(value)}`}>{label ?? value}</span>;
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {sentenceFor(error)}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return <div class="notice">{children}</div>;
}

export function Card({ title, actions, children, class: className }: { title?: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren; class?: string }) {
  return (
    <section class={`card ${className ?? ''}`}>
      {(title || actions) && (
        <header class="card-head">
          <h2>{title}</h2>
          <div class="card-actions">{actions}</div>
        </header>
      )}
      {children}
    </section>
  );
}

export function PageTitle({ title, subtitle, children }: { title: string; subtitle?: string; children?: ComponentChildren }) {
  return (
    <div class="page-title">
      <div>
        <h1>{title}</h1>
        {subtitle && <p class="subtitle">{subtitle}</p>}
      </div>
      <div class="page-tools">{children}</div>
    </div>
  );
}

export function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint && <span class="field-hint">{hint}</span>}
    </label>
  );
}

export function Stat({ label, value, tone }: { label: string; value: ComponentChildren; tone?: string }) {
  return (
    <div class={`stat ${tone ? `tone-text-${tone}` : ''}`}>
      <div class="stat-value">{value}</div>
      <div class="stat-label">{label}</div>
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

/** A button that runs an async action, shows it running, and reports its error beside it. */
export function ActionButton({ onClick, children, kind, disabled, title }: { onClick: () => Promise<unknown>; children: ComponentChildren; kind?: 'primary' | 'danger'; disabled?: boolean; title?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await onClick();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button type="button" class={kind ?? ''} disabled={busy || disabled} title={title} onClick={() => void run()}>
        {busy ? '…' : children}
      </button>
      {error ? <span class="inline-error">{sentenceFor(error)}</span> : null}
    </span>
  );
}

/** A pager over keyset pages: the cursors of the pages seen so far, so "Previous" goes back. */
export function usePages<C>(first: C) {
  const [cursors, setCursors] = useState<C[]>([first]);
  const current = cursors[cursors.length - 1];
  return {
    cursor: current,
    page: cursors.length,
    next: (cursor: C) => setCursors((seen) => [...seen, cursor]),
    previous: () => setCursors((seen) => (seen.length > 1 ? seen.slice(0, -1) : seen)),
    reset: () => setCursors([first]),
  };
}

export function Pager({ page, hasNext, onNext, onPrevious, label }: { page: number; hasNext: boolean; onNext: () => void; onPrevious: () => void; label?: string }) {
  return (
    <div class="pager">
      <button type="button" disabled={page <= 1} onClick={onPrevious}>
        ← Previous
      </button>
      <span>
        Page {page}
        {label ? ` · ${label}` : ''}
      </span>
      <button type="button" disabled={!hasNext} onClick={onNext}>
        Next →
      </button>
    </div>
  );
}

interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Loads with `load` whenever `keys` change, and again every `everyMs` while
 * `keepPolling(data)` holds (a live view). A later answer replaces an earlier
 * one only if it belongs to the current keys.
 */
export function useLoad<T>(load: () => Promise<T>, keys: unknown[], poll?: { everyMs: number; keepPolling: (data: T) => boolean }): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const keepPolling = useRef(poll?.keepPolling);
  keepPolling.current = poll?.keepPolling;
  const run = useCallback(load, keys);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const answer = await run();
      if (mine === generation.current) {
        setData(answer);
        setError(null);
      }
    } catch (caught) {
      if (mine === generation.current) setError(caught);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [run]);

  useEffect(() => {
    setData(null);
    void reload();
  }, [reload]);

  const everyMs = poll?.everyMs;
  useEffect(() => {
    if (everyMs === undefined || data === null || !keepPolling.current?.(data)) return undefined;
    const timer = setTimeout(() => void reload(), everyMs);
    return () => clearTimeout(timer);
  }, [data, reload, everyMs]);

  return { data, error, loading, reload };
}

export type InputEvent = JSX.TargetedEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, Event>;

export function valueOf(event: InputEvent): string {
  return event.currentTarget.value;
}
