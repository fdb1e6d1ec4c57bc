// The plotly.js bundle of paperlabs: the core (scatter), bar, and the strict flavour of
// scattergl, which draws without the Function constructor. Built by assets/build.mjs.
"use strict";
var Plotly = require("plotly.js/lib/core");
Plotly.register([
    require("plotly.js/lib/bar"),
    require("plotly.js/src/traces/scattergl/strict"),
]);
module.exports = Plotly;
