import {
  type Context,
  createTraceState,
  isSpanContextValid,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
  TraceFlags,
} from "@opentelemetry/api";
import type { Metadata } from "../mod.ts";

const TRACEPARENT = "traceparent";
const TRACESTATE = "tracestate";
/** version "-" trace-id "-" parent-id "-" flags, and for a later version anything after. */
const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The W3C Trace Context propagator (`traceparent` and `tracestate`),
 * written for wirecall so the OpenTelemetry glue needs nothing beyond
 * `@opentelemetry/api`. Invalid or all-zero ids, version `ff`, and extra
 * fields on version `00` are ignored, as the specification says.
 *
 * @example
 * ```ts
 * import { propagation } from "@opentelemetry/api";
 * import { w3cTraceContextPropagator } from "wirecall/otel";
 * propagation.setGlobalPropagator(w3cTraceContextPropagator);
 * ```
 */
export const w3cTraceContextPropagator: TextMapPropagator = {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = trace.getSpanContext(context);
    if (span === undefined || !isSpanContextValid(span)) return;
    const flags = (span.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, "0");
    setter.set(carrier, TRACEPARENT, `00-${span.traceId}-${span.spanId}-${flags}`);
    const state = span.traceState?.serialize();
    if (state !== undefined && state !== "") setter.set(carrier, TRACESTATE, state);
  },
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const raw = getter.get(carrier, TRACEPARENT);
    const header = Array.isArray(raw) ? raw[0] : raw;
    if (typeof header !== "string") return context;
    const m = traceparentPattern.exec(header.trim());
    if (m === null) return context;
    const [, version, traceId, spanId, flags, rest] = m;
    if (version === "ff" || (version === "00" && rest !== undefined)) return context;
    const spanContext = {
      traceId,
      spanId,
      traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED,
      isRemote: true,
      traceState: undefined as ReturnType<typeof createTraceState> | undefined,
    };
    if (!isSpanContextValid(spanContext)) return context;
    const state = getter.get(carrier, TRACESTATE);
    const stateText = Array.isArray(state) ? state.join(",") : state;
    if (typeof stateText === "string" && stateText !== "") {
      spanContext.traceState = createTraceState(stateText);
    }
    return trace.setSpanContext(context, spanContext);
  },
  fields: () => [TRACEPARENT, TRACESTATE],
};

/** Reads and writes text entries of wirecall `Metadata` for a propagator. */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => [...carrier.keys()],
  get: (carrier, key) => {
    const values = carrier.getAll(key).filter((v): v is string => typeof v === "string");
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  },
};

/** Writes text entries into wirecall `Metadata` for a propagator. */
export const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => {
    carrier.set(key, value);
  },
};
