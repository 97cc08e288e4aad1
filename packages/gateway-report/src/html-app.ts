// The inlined stylesheet and script of the HTML report. Plain ES2017 in a string: the report must
// work from file:// with no build step and no network, so there is nothing to bundle or fetch.
// The script reads the data block once and renders verdict, charts, table and diffs from it.

/** Light and dark schemes from prefers-color-scheme; every colour is a variable so SVG follows. */
export const HTML_STYLE = String.raw`
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--info:#0969da;--drift:#8250df;--okbg:#dafbe1;--badbg:#ffebe9;--warnbg:#fff8c5}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--panel:#151b23;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--info:#4493f8;--drift:#ab7df8;--okbg:#12261e;--badbg:#2d1214;--warnbg:#2b2111}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1200px;margin:0 auto;padding:20px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.muted{color:var(--muted)}
.verdict{border:1px solid var(--line);border-left:6px solid var(--ok);background:var(--okbg);border-radius:8px;padding:14px 18px}
.verdict.hold{border-left-color:var(--bad);background:var(--badbg)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;border:1px solid currentColor}
.pass,.healthy,.applied,.malformed{color:var(--ok)}.hold,.failing,.failed,.drift{color:var(--bad)}.degraded,.duplicate,.backlog,.not_run{color:var(--warn)}
.drift{color:var(--drift)}
.verdict.pass,.verdict.hold{color:var(--fg)}.verdict h1{color:var(--fg)}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--panel);font-weight:600}td.num,th.num{text-align:right}
tr.fired td{background:var(--badbg);font-weight:600}.verdict.pass~section tr.fired td{background:var(--okbg)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(130px,1fr));gap:8px}
.card{border:1px solid var(--line);border-radius:8px;padding:8px 10px;background:var(--panel)}.card b{display:block;font-size:20px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:14px}
figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:10px;background:var(--panel)}figcaption{font-weight:600;margin-bottom:6px}
svg.chart{width:100%;height:auto;display:block}
svg .axis{stroke:var(--line);stroke-width:1}svg text{fill:var(--muted);font-size:13px}
svg .s-failed{stroke:var(--bad);fill:var(--bad)}svg .s-retryable{stroke:var(--warn);fill:var(--warn)}svg .s-drift{stroke:var(--drift);fill:var(--drift)}
svg polyline{fill:none;stroke-width:2}svg .bar{fill:var(--info)}
svg .c-healthy,svg .c-pass{fill:var(--ok)}svg .c-degraded{fill:var(--warn)}svg .c-failing,svg .c-hold{fill:var(--bad)}svg .c-unknown{fill:var(--line)}
.legend{display:flex;gap:12px;flex-wrap:wrap;font-size:12px;margin-top:4px}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:8px}
select,input,button{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:4px 8px}
button{cursor:pointer}button:disabled{opacity:.5;cursor:default}input[type=search]{min-width:220px}
tr.case-row.has-detail{cursor:pointer}tr.case-row.has-detail td:first-child::before{content:"▸ ";color:var(--muted)}tr.case-row.open td:first-child::before{content:"▾ "}
tr.detail>td{background:var(--panel)}
.diff td{width:33%;word-break:break-all}.diff .exp{background:var(--okbg)}.diff .obs{background:var(--badbg)}
.pager{display:flex;gap:8px;align-items:center;margin-top:8px}
.drift-case{margin:12px 0}
`;

/** Renders the report from the JSON data block; every text goes through textContent, never HTML. */
export const HTML_SCRIPT = String.raw`
(function(){
"use strict";
var D=JSON.parse(document.getElementById("report-data").textContent);
var SVG="http://www.w3.org/2000/svg";
function $(id){return document.getElementById(id);}
function el(tag,attrs,kids){var e=document.createElement(tag);set(e,attrs);add(e,kids);return e;}
function sv(tag,attrs,kids){var e=document.createElementNS(SVG,tag);set(e,attrs);add(e,kids);return e;}
function set(e,attrs){if(attrs)for(var k in attrs)if(attrs[k]!==undefined&&attrs[k]!==null)e.setAttribute(k,String(attrs[k]));}
function add(e,kids){if(kids===undefined||kids===null)return;if(!Array.isArray(kids))kids=[kids];for(var i=0;i<kids.length;i++){var k=kids[i];if(k===undefined||k===null)continue;e.appendChild(typeof k==="object"?k:document.createTextNode(String(k)));}}
function fmtTime(ms){try{return new Date(ms).toISOString().replace("T"," ").replace(/\.\d+Z$/," UTC");}catch(e){return String(ms);}}

// ---- verdict and rules
var hold=D.gate.gate==="hold";
var v=$("verdict");v.className="verdict "+(hold?"hold":"pass");
add(v,[el("h1",null,["Gate ",el("span",{"class":"badge "+D.gate.gate,"id":"gate"},D.gate.gate.toUpperCase())," ",el("code",null,D.gate.reason_code)]),
 el("div",null,["Health ",el("span",{"class":"badge "+D.health.state},D.health.state)," ",D.health.reason]),
 el("div",{"class":"muted"},["Fixture ",el("code",null,D.fixture.name)," · ",D.fixture.paths.join(", ")||"no path"," · driver ",D.driver," · ",fmtTime(D.started)," · ",((D.finished-D.started)/1000).toFixed(2)+" s",D.aborted?" · INTERRUPTED (cases not reached are not run)":""])]);
var rb=$("rules");
for(var i=0;i<D.rules.length;i++){var r=D.rules[i];
 rb.appendChild(el("tr",{"class":r.fired?"fired":""},[el("td",{"class":"num"},r.rule),el("td",null,el("code",null,r.reason_code)),el("td",null,r.condition),el("td",null,r.observed),el("td",null,r.fired?(hold?"fired":"pass"):r.breached?"breached (lower priority)":"not breached")]));}
var cards=$("counters");
for(var j=0;j<D.counters.length;j++)cards.appendChild(el("div",{"class":"card"},[el("b",null,D.counters[j][1]),D.counters[j][0]]));

// ---- charts
var W=640,H=240,L=40,R=12,T=12,B=30;
function frame(svg,n,max){
 svg.appendChild(sv("line",{"class":"axis",x1:L,y1:H-B,x2:W-R,y2:H-B}));svg.appendChild(sv("line",{"class":"axis",x1:L,y1:T,x2:L,y2:H-B}));
 svg.appendChild(sv("text",{x:L-4,y:T+8,"text-anchor":"end"},String(max)));svg.appendChild(sv("text",{x:L-4,y:H-B,"text-anchor":"end"},"0"));
 if(n>0){svg.appendChild(sv("text",{x:L,y:H-8},"cycle 1"));svg.appendChild(sv("text",{x:W-R,y:H-8,"text-anchor":"end"},"cycle "+n));}
}
function xAt(i,n){return n<=1?(L+W-R)/2:L+(W-R-L)*i/(n-1);}
function lineChart(id,series){
 var h=D.history,n=h.t.length,max=1;
 for(var s=0;s<series.length;s++)for(var i=0;i<n;i++)max=Math.max(max,h[series[s][0]][i]||0);
 var svg=sv("svg",{"class":"chart",viewBox:"0 0 "+W+" "+H,"data-points":n,role:"img","aria-label":"per cycle: "+series.map(function(x){return x[1];}).join(", ")});
 frame(svg,n,max);
 for(var s2=0;s2<series.length;s2++){var key=series[s2][0],pts=[],g=sv("g",{"class":"s-"+key,"data-series":key});
  for(var k=0;k<n;k++){var x=xAt(k,n),y=(H-B)-((H-B-T)*(h[key][k]||0)/max);pts.push(x.toFixed(1)+","+y.toFixed(1));
   g.appendChild(sv("circle",{"class":"pt",cx:x.toFixed(1),cy:y.toFixed(1),r:n>60?1.5:3},sv("title",null,"cycle "+(k+1)+" ("+fmtTime(h.t[k])+"): "+series[s2][1]+" "+(h[key][k]||0))));}
  if(n>1)g.insertBefore(sv("polyline",{points:pts.join(" ")}),g.firstChild);
  svg.appendChild(g);}
 var fig=$(id);fig.appendChild(svg);
 fig.appendChild(el("div",{"class":"legend"},series.map(function(x){return el("span",null,[el("i",{style:"background:var(--"+(x[0]==="failed"?"bad":x[0]==="retryable"?"warn":"drift")+")"}),x[1]]);})));
}
function stripChart(id){
 var h=D.history,n=h.t.length,rowH=44,HH=2*rowH+48;
 var svg=sv("svg",{"class":"chart",viewBox:"0 0 "+W+" "+HH,"data-points":n,role:"img","aria-label":"health and gate per cycle"});
 var rows=[["health","health"],["gate","gate"]],w=n>0?(W-R-L-50)/n:0;
 for(var r=0;r<rows.length;r++){var y=10+r*(rowH+8),g=sv("g",{"data-series":rows[r][0]});
  svg.appendChild(sv("text",{x:L+44,y:y+rowH/2+4,"text-anchor":"end"},rows[r][1]));
  for(var k=0;k<n;k++){var val=h[rows[r][0]][k]||"unknown";
   g.appendChild(sv("rect",{"class":"pt c-"+val,x:(L+50+k*w).toFixed(2),y:y,width:Math.max(w-(n>100?0:1),0.5).toFixed(2),height:rowH},sv("title",null,"cycle "+(k+1)+" ("+fmtTime(h.t[k])+"): "+rows[r][1]+" "+val+(r===1?" ("+h.reason[k]+")":""))));}
  svg.appendChild(g);}
 if(n>0){svg.appendChild(sv("text",{x:L+50,y:HH-8},"cycle 1"));svg.appendChild(sv("text",{x:W-R,y:HH-8,"text-anchor":"end"},"cycle "+n));}
 var fig=$(id);fig.appendChild(svg);
 fig.appendChild(el("div",{"class":"legend"},["healthy / pass","degraded","failing / hold"].map(function(t,i){return el("span",null,[el("i",{style:"background:var(--"+["ok","warn","bad"][i]+")"}),t]);})));
}
function latencyChart(id){
 var d=D.cases.d,vals=[];for(var i=0;i<d.length;i++)if(d[i]!==null&&d[i]!==undefined&&d[i]>=0)vals.push(d[i]/1000);
 var fig=$(id);fig.hidden=false;
 var nb=Math.min(30,Math.max(1,Math.ceil(Math.sqrt(vals.length)))),max=0;for(var a=0;a<vals.length;a++)max=Math.max(max,vals[a]);
 var bins=new Array(nb).fill(0),width=max>0?max/nb:1;for(var b=0;b<vals.length;b++)bins[Math.min(nb-1,Math.floor(vals[b]/width))]++;
 var top=1;for(var c=0;c<nb;c++)top=Math.max(top,bins[c]);
 var svg=sv("svg",{"class":"chart",viewBox:"0 0 "+W+" "+H,"data-points":vals.length,"data-bins":nb,role:"img","aria-label":"latency histogram"});
 frame(svg,0,top);var bw=(W-R-L)/nb;
 for(var e=0;e<nb;e++){var bh=(H-B-T)*bins[e]/top;svg.appendChild(sv("rect",{"class":"bar",x:(L+e*bw+1).toFixed(1),y:(H-B-bh).toFixed(1),width:Math.max(bw-2,1).toFixed(1),height:bh.toFixed(1)},sv("title",null,(e*width).toFixed(1)+"–"+((e+1)*width).toFixed(1)+" ms: "+bins[e]+" cases")));}
 svg.appendChild(sv("text",{x:L,y:H-8},"0 ms"));svg.appendChild(sv("text",{x:W-R,y:H-8,"text-anchor":"end"},max.toFixed(1)+" ms"));
 fig.appendChild(svg);
}
lineChart("chart-failures",[["failed","failed cases"],["retryable","retryable failures"],["drift","drifted cases"]]);
stripChart("chart-health");
if(D.driver==="http")latencyChart("chart-latency");

// ---- diffs
function diffTable(det){
 var t=el("table",{"class":"diff"},el("tr",null,[el("th",null,"field"),el("th",null,"expected"),el("th",null,"observed")]));
 for(var i=0;i<det.diffs.length;i++){var x=det.diffs[i];t.appendChild(el("tr",null,[el("td",null,el("code",null,x[0]+(x[1]?" "+x[1]:""))),el("td",{"class":"exp"},el("code",null,x[2])),el("td",{"class":"obs"},el("code",null,x[3]))]));}
 return t;
}
function detail(idx){
 var det=D.details[idx];if(!det)return null;var box=el("div");
 if(det.diffs&&det.diffs.length)box.appendChild(diffTable(det));
 if(det.note)box.appendChild(el("p",null,["note: ",det.note]));
 if(det.message)box.appendChild(el("p",null,["message: ",el("code",null,det.message)]));
 if(det.attempts&&det.attempts.length)box.appendChild(el("ul",null,det.attempts.map(function(a){return el("li",null,a);})));
 if(det.body!==undefined)box.appendChild(el("p",null,["observed body: ",el("code",null,det.body)]));
 return box;
}
var C=D.cases,N=C.id.length,dict=D.dict,drifts=$("drifts"),shown=0;
for(var q=0;q<N&&shown<50;q++)if(dict.r[C.r[q]]==="drift"){shown++;
 drifts.appendChild(el("div",{"class":"drift-case"},[el("div",null,[el("code",null,C.id[q])," ",dict.m[C.m[q]]," ",el("code",null,C.e[q])]),detail(q)]));}
var driftTotal=0;for(var q2=0;q2<N;q2++)if(dict.r[C.r[q2]]==="drift")driftTotal++;
$("drift-count").textContent=String(driftTotal);
if(driftTotal===0)drifts.appendChild(el("p",{"class":"muted"},"No case drifted from its contract."));
else if(driftTotal>shown)drifts.appendChild(el("p",{"class":"muted"},"… and "+(driftTotal-shown)+" more: filter the table by result drift."));

// ---- case table
function fill(id,values,label){var s=$(id);s.appendChild(el("option",{value:""},label));var sorted=values.map(function(x,i){return [x,i];}).sort(function(a,b){return a[0]<b[0]?-1:a[0]>b[0]?1:0;});
 for(var i=0;i<sorted.length;i++)s.appendChild(el("option",{value:String(sorted[i][1])},sorted[i][0]===""?"(none)":sorted[i][0]));}
fill("f-result",dict.r,"all results");fill("f-outcome",dict.o,"all outcomes");fill("f-actor",dict.a,"all actors");
var PAGE=100,page=0,rows=[];
function matches(i,f){
 if(f.r!==""&&C.r[i]!==+f.r)return false;if(f.o!==""&&C.o[i]!==+f.o)return false;if(f.a!==""&&C.a[i]!==+f.a)return false;
 if(f.flaky&&!(C.f[i]>0&&(dict.r[C.r[i]]==="applied"||dict.r[C.r[i]]==="malformed")))return false;
 if(f.q){var hay=(C.id[i]+" "+dict.m[C.m[i]]+" "+C.e[i]+" "+dict.a[C.a[i]]).toLowerCase();if(hay.indexOf(f.q)<0)return false;}
 return true;}
function filter(){var f={r:$("f-result").value,o:$("f-outcome").value,a:$("f-actor").value,flaky:$("f-flaky").checked,q:$("f-search").value.trim().toLowerCase()};
 rows=[];for(var i=0;i<N;i++)if(matches(i,f))rows.push(i);page=0;draw();}
function draw(){
 var body=$("case-rows");body.textContent="";var from=page*PAGE,to=Math.min(rows.length,from+PAGE);
 for(var k=from;k<to;k++){(function(i){
  var res=dict.r[C.r[i]],flaky=C.f[i]>0&&(res==="applied"||res==="malformed"),has=!!D.details[i];
  var tr=el("tr",{"class":"case-row"+(has?" has-detail":""),"data-index":i},[el("td",null,el("code",null,C.id[i])),el("td",null,dict.m[C.m[i]]),el("td",null,el("code",null,C.e[i])),el("td",null,dict.a[C.a[i]]),
   el("td",{"class":res},res),el("td",null,(C.s[i]?C.s[i]+" ":"")+dict.o[C.o[i]]),el("td",{"class":"num"},C.n[i]),el("td",{"class":"num"},C.d[i]===null?"":C.d[i]/1000),el("td",null,flaky?"flaky ("+C.f[i]+")":"")]);
  if(has)tr.addEventListener("click",function(){var next=tr.nextSibling;if(next&&next.className==="detail"){body.removeChild(next);tr.classList.remove("open");return;}
   tr.classList.add("open");body.insertBefore(el("tr",{"class":"detail"},el("td",{colspan:9},detail(i))),tr.nextSibling);});
  body.appendChild(tr);})(rows[k]);}
 $("row-count").textContent=rows.length+" of "+N+" cases"+(rows.length?" · rows "+(from+1)+"–"+to:"");
 $("prev").disabled=page===0;$("next").disabled=to>=rows.length;
}
["f-result","f-outcome","f-actor","f-flaky"].forEach(function(id){$(id).addEventListener("change",filter);});
$("f-search").addEventListener("input",filter);
$("prev").addEventListener("click",function(){if(page>0){page--;draw();}});
$("next").addEventListener("click",function(){if((page+1)*PAGE<rows.length){page++;draw();}});
filter();
document.body.setAttribute("data-ready","true");
})();
`;
