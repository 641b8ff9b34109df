/**
 * A hand-written SVG bar chart of a result: for each scenario, each
 * framework's throughput as a multiple of the bare ceiling — servers
 * (neutral client) on the left, end to end on the right.
 *
 * @module
 */
import type { BenchResult } from "./result.ts";

const colors: Record<string, string> = {
  wirecall: "#2f6fde",
  "grpc-js": "#e0892b",
  connect: "#8a5cc2",
  rest: "#4a9e5c",
  bare: "#9aa3ad",
};

function escape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function peerOf(pairing: string): string {
  if (pairing.startsWith("bare") || pairing === "server:bare-default") return "bare";
  return pairing.split(":")[1];
}

/** Renders the chart. */
export function renderSvg(result: BenchResult): string {
  const panels = [
    {
      group: "server",
      title: "Server (neutral client: h2load or bare) ÷ ceiling",
      members: ["server:wirecall", "server:grpc-js", "server:connect"],
    },
    {
      group: "e2e",
      title: "End to end ÷ ceiling",
      members: ["e2e:wirecall", "e2e:grpc-js", "e2e:connect", "e2e:rest"],
    },
  ];
  const scenarios = result.scenarios;
  const barH = 9;
  const rowH = 4 * barH + 12;
  const labelW = 190;
  const panelW = 300;
  const maxRatio = 1.5;
  const top = 60;
  const width = labelW + panels.length * (panelW + 30) + 20;
  const height = top + scenarios.length * rowH + 50;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
  );
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(
    `<text x="10" y="20" font-size="14" font-weight="600">wirecall benchmark — throughput as a multiple of bare node:http2 (tuned windows)</text>`,
  );
  out.push(
    `<text x="10" y="38" fill="#555">${
      escape(
        `${
          result.date.slice(0, 16)
        } · ${result.versions.node} · ${result.machine.cpus} cores · medians of ${result.settings.reps}`,
      )
    }</text>`,
  );
  panels.forEach((panel, pi) => {
    const x0 = labelW + pi * (panelW + 30);
    const scale = (v: number) => (Math.min(v, maxRatio) / maxRatio) * panelW;
    out.push(`<text x="${x0}" y="${top - 6}" font-weight="600">${escape(panel.title)}</text>`);
    for (const tick of [0, 0.5, 1, 1.5]) {
      const x = x0 + scale(tick);
      out.push(
        `<line x1="${x}" y1="${top}" x2="${x}" y2="${top + scenarios.length * rowH}" stroke="${
          tick === 1 ? "#333" : "#ddd"
        }" stroke-dasharray="${tick === 1 ? "3,2" : ""}"/>`,
      );
      out.push(
        `<text x="${x}" y="${
          top + scenarios.length * rowH + 12
        }" text-anchor="middle" fill="#555">${tick}×</text>`,
      );
    }
    scenarios.forEach((s, si) => {
      const y0 = top + si * rowH + 4;
      if (pi === 0) {
        out.push(`<text x="10" y="${y0 + 2 * barH}" fill="#222">${escape(s.title)}</text>`);
      }
      // Under h2load the server panel shows the native load client's table.
      const native = panel.group === "server" && s.h2load !== undefined;
      const group = native ? "native" : panel.group;
      const members = native
        ? panel.members.map((m) => m.replace("server:", "h2load:"))
        : panel.members;
      const table = result.tables.find((t) => t.group === group && t.scenario.id === s.id);
      members.forEach((id, bi) => {
        const row = table?.rows.find((r) => r.pairing === id);
        if (row === undefined || !Number.isFinite(row.ratio)) return;
        const y = y0 + bi * barH;
        const w = Math.max(1, scale(row.ratio));
        out.push(
          `<rect x="${x0}" y="${y}" width="${w.toFixed(1)}" height="${barH - 2}" fill="${
            colors[peerOf(id)]
          }"/>`,
        );
        out.push(
          `<text x="${x0 + w + 3}" y="${y + barH - 3}" font-size="9" fill="#333">${
            row.ratio.toFixed(2)
          }${row.ratio > maxRatio ? " ▸" : ""}</text>`,
        );
      });
    });
  });
  const legendY = height - 18;
  ["wirecall", "grpc-js", "connect", "rest"].forEach((name, i) => {
    const x = labelW + i * 110;
    out.push(`<rect x="${x}" y="${legendY - 9}" width="10" height="10" fill="${colors[name]}"/>`);
    out.push(
      `<text x="${x + 14}" y="${legendY}">${
        name === "connect" ? "connect-node" : name === "rest" ? "REST/JSON HTTP/1.1" : name
      }</text>`,
    );
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
