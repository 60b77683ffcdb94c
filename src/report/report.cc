#include "report/report.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <set>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "report/admin1.h"
#include "report/assets.h"
#include "report/sections.h"

namespace tallyscope::report {
namespace {

using J = nlohmann::ordered_json;

// Style, the console capture (first, so that it sees every error), the table sorter and the chart
// renderer. The page records on <body> what happened, for the browser test and for a reader's
// devtools: data-charts-total / -ok / -failed / -done, data-console-errors (a count; the messages
// are in <pre id="tallyscope-console">).
constexpr const char* kStyle = R"css(
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;max-width:1000px;margin:0 auto;padding:0 20px 60px}
h1{font-size:1.7em;margin:1em 0 .2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}h3{margin-top:1.5em}
.sub{color:#666;margin-top:0}.key{background:#f5f8fb;border-left:4px solid #2c7fb8;padding:.6em 1.2em}.key h2{margin-top:.3em}.key li{margin:.3em 0}.headline{font-size:1.15em;font-weight:600}.guess{background:#fff4e5;border-left:4px solid #e67e22;padding:.4em .8em}
.unavailable{background:#fbf5ee;border-left:4px solid #e67e22;padding:.6em 1.2em}
nav ol{columns:2}figure{margin:1em 0}figcaption{color:#555;font-size:.9em;max-width:720px}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}th,td{border-bottom:1px solid #e3e3e3;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3;cursor:pointer;user-select:none;white-space:nowrap}th[data-sort=asc]::after{content:" \25B2"}th[data-sort=desc]::after{content:" \25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}.scroll{max-height:480px;overflow:auto;border:1px solid #eee}
pre{background:#f7f7f7;padding:.6em;overflow:auto;font-size:.85em}table.provenance td:last-child{font-family:monospace;font-size:.85em;word-break:break-all}
.status-pending h2,.status-unavailable h2{color:#8a5a00}
)css";

constexpr const char* kConsoleCapture = R"js(
(function(){
  var log=[], warn=[];
  function note(kind,msg){(kind==='error'?log:warn).push(String(msg));
    var b=document.body; if(b){b.setAttribute('data-console-errors',String(log.length));b.setAttribute('data-console-warnings',String(warn.length));}
    var p=document.getElementById('tallyscope-console'); if(p){p.textContent=log.map(function(m){return 'error: '+m;}).concat(warn.map(function(m){return 'warning: '+m;})).join('\n');}}
  window.__tallyscopeNote=note;
  var ce=console.error, cw=console.warn;
  console.error=function(){note('error',Array.prototype.join.call(arguments,' '));return ce.apply(console,arguments);};
  console.warn=function(){note('warning',Array.prototype.join.call(arguments,' '));return cw.apply(console,arguments);};
  window.addEventListener('error',function(e){note('error',(e.message||'error')+(e.filename?' at '+e.filename+':'+e.lineno:''));});
  window.addEventListener('unhandledrejection',function(e){note('error','unhandled rejection: '+(e.reason&&e.reason.message||e.reason));});
  document.addEventListener('securitypolicyviolation',function(e){note('error','blocked by the page policy (no network): '+e.blockedURI+' ('+e.violatedDirective+')');});
})();
)js";

constexpr const char* kSortAndRender = R"js(
(function(){
  // Sortable tables: click (or Enter on) a header; numbers sort as numbers.
  function key(td,num){var t=td?td.textContent:'';if(!num)return t.toLowerCase();var x=parseFloat(t.replace(/[,%+\s]/g,''));return isNaN(x)?-Infinity:x;}
  document.querySelectorAll('table.sortable th').forEach(function(th,i){
    function sort(){var table=th.closest('table'),body=table.tBodies[0],idx=Array.prototype.indexOf.call(th.parentNode.children,th);
      var num=th.getAttribute('data-type')==='num',dir=th.getAttribute('data-sort')==='asc'?'desc':'asc';
      th.parentNode.querySelectorAll('th').forEach(function(o){o.removeAttribute('data-sort');});th.setAttribute('data-sort',dir);
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){var x=key(a.cells[idx],num),y=key(b.cells[idx],num);return (x<y?-1:x>y?1:0)*(dir==='asc'?1:-1);});
      rows.forEach(function(r){body.appendChild(r);});}
    th.addEventListener('click',sort);th.addEventListener('keydown',function(e){if(e.key==='Enter')sort();});
  });
  // Charts: every spec rendered from the data embedded in the page.
  var specs=JSON.parse(document.getElementById('tallyscope-charts').textContent), ids=Object.keys(specs);
  var body=document.body, ok=0, failed=[];
  body.setAttribute('data-charts-total',String(ids.length));
  var config={font:'system-ui, sans-serif',view:{stroke:null},axis:{labelFontSize:11,titleFontSize:12}};
  var borders=null, bordersEl=document.getElementById('tallyscope-borders'), geo={};
  var jobs=ids.map(function(id){
    var el=document.getElementById(id);
    if(!el){failed.push(id);return Promise.resolve();}
    var ds=specs[id].datasets;
    if(ds&&('borders' in ds)){
      if(!borders&&bordersEl)borders=JSON.parse(bordersEl.textContent);
      if(borders)ds.borders=borders;else{delete ds.borders;}
    }
    if(ds)Object.keys(ds).forEach(function(k){
      if(k.indexOf('admin1_')!==0)return;
      if(!(k in geo)){var g=document.getElementById('tallyscope-geo-'+k);geo[k]=g?JSON.parse(g.textContent):null;}
      if(geo[k])ds[k]=geo[k];else{delete ds[k];}
    });
    return vegaEmbed(el,specs[id],{mode:'vega-lite',actions:false,renderer:'svg',config:config}).then(function(res){
      return res.view.runAsync().then(function(){
        if(el.querySelector('svg')){ok++;el.setAttribute('data-chart','ok');}
        else{failed.push(id);el.setAttribute('data-chart','failed');window.__tallyscopeNote('error','chart '+id+' drew nothing');}
      });
    }).catch(function(e){failed.push(id);el.setAttribute('data-chart','failed');el.textContent='This chart could not be drawn: '+e;
      window.__tallyscopeNote('error','chart '+id+': '+(e&&e.message||e));});
  });
  Promise.all(jobs).then(function(){body.setAttribute('data-charts-ok',String(ok));body.setAttribute('data-charts-failed',failed.join(' '));body.setAttribute('data-charts-done','1');});
})();
)js";

// A script's text may not contain "</script" (it would end the element early).
std::string script_safe(std::string js) {
  size_t at = 0;
  while ((at = js.find("</script", at)) != std::string::npos) {
    js.replace(at, 2, "<\\/");
    at += 3;
  }
  return js;
}

// 'sha256-<base64>' of an inline script's text, as the content security policy names it.
std::string csp_hash(std::string_view script) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(script.data()), script.size(), digest);
  unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
  EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH);
  return "'sha256-" + std::string(reinterpret_cast<const char*>(b64)) + "'";
}

}  // namespace

std::vector<Section> build_sections(const ReportInput& in) {
  std::vector<Section> s;
  s.push_back(section_summary(in.summary, in.count_source));
  s.push_back(section_integrity(in.integrity, in.max_findings));
  if (in.comparison) s.push_back(section_comparison(*in.comparison, in.max_findings));
  s.push_back(section_regions(in.regions, in.forensics.has() ? &*in.forensics.value : nullptr));
  s.push_back(section_progression(in.progression));
  s.push_back(section_projection(in.projection, in.projection_basis, in.backtest));
  s.push_back(section_map(in.map));
  s.push_back(section_forensics(in.forensics));
  s.push_back(section_limits(in));
  s.push_back(section_provenance(in.provenance, in.count_spec));
  return s;
}

std::string render_report(const ReportInput& in) {
  std::vector<Section> sections = build_sections(in);
  J specs = J::object();
  for (const auto& sec : sections)
    for (const auto& c : sec.charts) specs[c.id] = c.spec;

  std::string o;
  o += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // Nothing may be fetched: the policy blocks every request (a blocked one is reported as an error).
  // Inline scripts run only by their hashes: a user string that slipped through escaping as a
  // <script> would not. No base URL, no form target, no plugin.
  const std::vector<std::string> scripts = {kConsoleCapture, script_safe(join_asset(kAsset_vega)),
                                            script_safe(join_asset(kAsset_vega_lite)),
                                            script_safe(join_asset(kAsset_vega_embed)), kSortAndRender};
  std::string hashes;
  for (const auto& script : scripts) hashes += " " + csp_hash(script);
  o += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src" + hashes +
       " 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; base-uri 'none'; "
       "form-action 'none'; object-src 'none'\">\n";
  o += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  o += "<meta name=\"generator\" content=\"tallyscope " + esc(in.provenance.tool_version) + "\">\n";
  o += "<title>" + esc(in.title) + " — tallyscope report</title>\n";
  o += std::string("<style>") + kStyle + "</style>\n";
  o += "<script>" + scripts.front() + "</script>\n";
  o += "</head>\n<body data-charts-done=\"0\" data-console-errors=\"0\" data-console-warnings=\"0\">\n";
  o += "<header><h1>" + esc(in.title) + "</h1>\n";
  o += "<p class=\"sub\">" +
       esc(fmt::format("An audit of the count {} by tallyscope {}, made {}.", in.count_source, in.provenance.tool_version,
                       in.provenance.started_utc)) +
       "</p></header>\n";
  o += "<section class=\"key\" id=\"findings\"><h2>Findings</h2>\n";
  if (const std::string h = headline(in); !h.empty()) o += "<p class=\"headline\" id=\"headline\">" + esc(h) + "</p>\n";
  if (in.count_spec.layout == "guess")
    o += "<p class=\"guess\" id=\"guessed-layout\">" +
         esc("This report rests on a guessed reading of the file: no spec was given, and the roles of its columns "
             "(which are choices, which are registered voters, which identify a sheet) were guessed from their "
             "names and contents. The provenance section lists each column's role; check it before quoting a "
             "number.") +
         "</p>\n";
  o += "<ul>\n";
  for (const auto& sec : sections)
    for (const auto& k : sec.key_findings) o += "<li>" + esc(k) + "</li>\n";
  o += "</ul>\n";
  std::vector<const Section*> missing;
  for (const auto& sec : sections)
    if (sec.status != "ok") missing.push_back(&sec);
  if (!missing.empty()) {
    o += "<p>Not in this report:</p>\n<ul>\n";
    for (const auto* sec : missing)
      o += fmt::format("<li><a href=\"#{}\">{}</a> ({})</li>\n", esc(sec->id), esc(sec->title),
                       sec->status == "pending" ? "not yet part of tallyscope's report" : "not computed; the section says why");
    o += "</ul>\n";
  }
  o += "</section>\n<nav><ol>\n";
  for (const auto& sec : sections) o += fmt::format("<li><a href=\"#{}\">{}</a></li>\n", esc(sec.id), esc(sec.title));
  o += "</ol></nav>\n";
  for (const auto& sec : sections) {
    o += fmt::format("<section id=\"{}\" class=\"status-{}\" data-status=\"{}\">\n<h2>{}</h2>\n", esc(sec.id), esc(sec.status),
                     esc(sec.status), esc(sec.title));
    if (sec.status != "ok") o += "<div class=\"unavailable\">\n";
    o += sec.html;
    if (sec.status != "ok") o += "</div>\n";
    o += "</section>\n";
  }
  o += "<pre id=\"tallyscope-console\" hidden></pre>\n";
  o += "<script type=\"application/json\" id=\"tallyscope-charts\">" + json_for_script(specs) + "</script>\n";
  // The map's country borders, once for the page (the map charts name them as a dataset). A data
  // block, never run, so the script policy's hashes do not concern it.
  if (in.map.has())
    o += "<script type=\"application/json\" id=\"tallyscope-borders\">" + script_safe(join_asset(kAsset_world_countries)) +
         "</script>\n";
  // The first-level borders the maps name (admin1.h), each country once.
  std::set<std::string> admin1;
  for (const auto& [id, spec] : specs.items())
    if (spec.contains("datasets"))
      for (const auto& [name, v] : spec["datasets"].items())
        if (name.rfind("admin1_", 0) == 0) admin1.insert(name);
  for (const auto& name : admin1)
    if (const Admin1Country* c = admin1_by_dataset(name))
      o += "<script type=\"application/json\" id=\"tallyscope-geo-" + esc(name) + "\">" +
           script_safe(admin1_topology(*c)) + "</script>\n";
  for (size_t i = 1; i < scripts.size(); ++i) o += "<script>" + scripts[i] + "</script>\n";
  o += "</body>\n</html>\n";
  return o;
}

J report_json(const ReportInput& in) {
  J j;
  J prov;
  prov["tool"] = "tallyscope";
  prov["version"] = in.provenance.tool_version;
  prov["command_line"] = in.provenance.command_line;
  prov["started_utc"] = in.provenance.started_utc;
  prov["seconds"] = in.provenance.seconds;
  J inputs = J::array();
  for (const auto& f : in.provenance.inputs)
    inputs.push_back({{"role", f.role}, {"path", f.path}, {"bytes", f.bytes}, {"sha256", f.sha256}});
  prov["inputs"] = inputs;
  prov["options"] = in.provenance.options;
  j["provenance"] = prov;
  j["title"] = in.title;
  j["headline"] = headline(in);
  j["reading"] = {{"layout", in.count_spec.layout}, {"guessed", in.count_spec.layout == "guess"},
                  {"notes", in.count_spec.notes}};
  {
    J cols = J::array();
    for (const auto& row : column_mapping(in.count_spec)) cols.push_back({{"role", row[0]}, {"column", row[1]}});
    j["reading"]["columns"] = cols;
  }
  j["summary"] = to_json(in.summary);
  j["integrity"] = to_json(in.integrity, in.integrity.findings.size());
  auto maybe = [](const auto& m) {
    if (m.has()) return J(to_json(*m.value));
    return J{{"available", false}, {"reason", m.reason}};
  };
  j["progression"] = maybe(in.progression);
  j["projection"] = maybe(in.projection);
  if (in.projection.has()) j["projection"]["basis"] = in.projection_basis;
  j["backtest"] = maybe(in.backtest);
  j["map"] = maybe(in.map);
  j["forensics"] = maybe(in.forensics);
  j["regions"] = maybe(in.regions);
  if (in.comparison)
    j["comparison"] = in.comparison->has() ? J(to_json(*in.comparison->value, SIZE_MAX))
                                           : J{{"available", false}, {"reason", in.comparison->reason}};
  return j;
}

}  // namespace tallyscope::report
