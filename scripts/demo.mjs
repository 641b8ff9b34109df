// `npm run demo`: builds the package (quietly) and runs the demo on Node.
import { join } from "node:path";
import { build } from "./build.mjs";

const root = new URL("..", import.meta.url).pathname;
build();
await import(join(root, "dist", "examples", "demo", "main.js"));
