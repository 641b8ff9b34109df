/**
 * A page that calls a wirecall server from the browser: one `node:http`
 * server (run by Deno or Node) serves the page, its script (bundled with
 * esbuild on start) and DemoService over gRPC-Web — no proxy in between.
 *
 * Run: `deno run -A examples/browser/server.ts`, then open
 * http://127.0.0.1:8080/ (`--port N` to change it; `--check` loads the page
 * in headless Chromium, prints what it shows, and exits).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { createRouter } from "wirecall";
import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoServiceImpl } from "../demo/demo-service.ts";

let root = dirname(fileURLToPath(import.meta.url));
while (!existsSync(join(root, "package.json"))) root = dirname(root);
const args = process.argv.slice(2);
const portFlag = args.indexOf("--port");
const port = portFlag >= 0 ? Number(args[portFlag + 1]) : 8080;

const script = (await build({
  entryPoints: [join(root, "examples", "browser", "page.ts")],
  absWorkingDir: root,
  bundle: true,
  write: false,
  format: "esm",
  platform: "browser",
  conditions: ["wirecall-source"],
  minify: true,
})).outputFiles[0].text;
const html = readFileSync(join(root, "examples", "browser", "index.html"), "utf8");

const router = createRouter().service(DemoService, demoServiceImpl);
const grpcWeb = createNodeRequestListener(createGrpcWebHandler(router));
const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  } else if (req.method === "GET" && req.url === "/page.js") {
    res.writeHead(200, { "content-type": "text/javascript" }).end(script);
  } else {
    grpcWeb(req, res);
  }
});
await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
console.log(`open ${url}`);

if (args.includes("--check")) {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]");
  console.log((await page.textContent("#log"))?.trim());
  await browser.close();
  server.closeAllConnections();
  server.close();
}
