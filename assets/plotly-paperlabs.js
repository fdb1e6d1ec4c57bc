// The plotly.js bundle of paperlabs: the core (scatter), bar, and scattergl in the
// flavour of plotly.js's strict bundle (precompiled regl code). Built by assets/build.mjs.
"use strict";
var Plotly = require("plotly.js/lib/core");
Plotly.register([
    require("plotly.js/lib/bar"),
    require("plotly.js/src/traces/scattergl/strict"),
]);
module.exports = Plotly;
