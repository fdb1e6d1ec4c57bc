// Builds assets/build/plotly.min.js from the npm plotly.js package with the options of
// plotly.js's own esbuild-config.js (run by `make assets`).
import { build } from "esbuild";
import { glsl } from "esbuild-plugin-glsl";
import InlineCSSPlugin from "esbuild-plugin-inline-css";

const here = new URL(".", import.meta.url).pathname;
await build({
  entryPoints: [`${here}plotly-paperlabs.js`],
  outfile: `${here}build/plotly.min.js`,
  format: "iife",
  globalName: "Plotly",
  bundle: true,
  minify: true,
  legalComments: "eof",
  target: "es2016",
  plugins: [InlineCSSPlugin(), glsl({ minify: true })],
  alias: { regl: "@plotly/regl" },
  define: { global: "window", "define.amd": "false" },
  logLevel: "warning",
});
