// `tallyscope simulate`: a synthetic election with known manipulation, in a layout every command reads.
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "analysis/analysis.h"
#include "cli/command.h"
#include "io/output.h"

namespace tallyscope::cli {

namespace {

struct SimulateState {
  SimulationOptions o;
  std::string out, like, fraud_kind = "incremental", inject;
  double share = -1;
  bool json = false;
  InputOptions in;
};

// --inject KIND --share F: the manipulation options for a copy of the --like file.
void configure_injection(SimulateState& s, bool intensity_given) {
  if (s.like.empty()) throw UsageError("--inject manipulates a real file: name it with --like FILE");
  if (!(s.share > 0 && s.share <= 1)) throw UsageError("--inject needs --share, a share of the sheets in (0, 1]");
  if (s.o.fraud_share > 0 || s.o.round_share > 0)
    throw UsageError("with --inject, the share manipulated is --share; drop --fraud-share and --round-share");
  if (s.inject == "rounding") {
    s.o.round_share = s.share;
    return;
  }
  s.o.fraud_share = s.share;
  if (s.inject == "rewrite") s.o.fraud_kind = FraudKind::kRewrite;
  else if (s.o.fraud_kind == FraudKind::kRewrite) throw UsageError("--inject stuffing takes --fraud-kind incremental or extreme");
  if (!intensity_given) s.o.fraud_intensity = 0.75;
}

}  // namespace

Command add_simulate(CLI::App& app) {
  using State = SimulateState;
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand(
      "simulate",
      "Write a synthetic election (regional and place heterogeneity, optional ballot stuffing, whole-percentage "
      "shares and late regions), with the truth in sim_* columns");
  cmd->add_option("--out", s->out, "Output file (CSV; gzip when the name ends in .gz)")->required();
  cmd->add_option("--units", s->o.units, "Tally sheets to simulate")->capture_default_str();
  cmd->add_option("--seed", s->o.seed, "Random seed (same seed and options: the same file, byte for byte)")
      ->capture_default_str();
  cmd->add_option("--like", s->like,
                  "Keep this file's sheets, geography and registered voters; fit turnout and shares to it")
      ->check(count_input());
  cmd->add_option("--regions", s->o.regions, "Regions (default: min(20, 1 + units/500))");
  cmd->add_option("--municipalities", s->o.municipalities, "Municipalities (default: 8 a region)");
  cmd->add_option("--places", s->o.places, "Polling places (default: units/4)");
  cmd->add_option("--choices", s->o.choices, "Choice names, the leader first")->capture_default_str();
  cmd->add_option("--shares", s->o.shares, "Expected national shares of the choices (default 45/30/15/10 for four)");
  cmd->add_option("--place-association", s->o.place_association,
                  "Correlation across polling places of their turnout and leader effects")
      ->capture_default_str();
  cmd->add_option("--turnout", s->o.turnout, "National mean turnout")->capture_default_str();
  cmd->add_option("--inject", s->inject,
                  "Inject manipulation into a copy of the --like file itself (its real counts kept elsewhere): "
                  "stuffing, rounding or rewrite, in --share of its sheets")
      ->check(CLI::IsMember({"stuffing", "rounding", "rewrite"}));
  cmd->add_option("--share", s->share,
                  "With --inject: share of the sheets manipulated (stuffing: most of the non-voters become leader "
                  "votes unless --fraud-intensity says otherwise)");
  cmd->add_option("--fraud-share", s->o.fraud_share, "Share of the sheets with ballot stuffing for the leader")
      ->capture_default_str();
  cmd->add_option("--fraud-kind", s->fraud_kind, "incremental or extreme ballot stuffing (Klimek et al. 2012), or rewrite (votes moved to the leader, turnout unchanged)")
      ->check(CLI::IsMember({"incremental", "extreme", "rewrite"}))
      ->capture_default_str();
  auto* intensity = cmd->add_option(
      "--fraud-intensity", s->o.fraud_intensity,
      "Incremental stuffing: mean fraction of the non-voters turned into leader votes (rewrite: of the other "
      "choices' votes moved); default 0.3, and 0.75 with --inject stuffing");
  cmd->add_option("--steal", s->o.steal, "Fraction (times the stuffing fraction) of other votes moved to the leader")
      ->capture_default_str();
  cmd->add_option("--round-share", s->o.round_share, "Share of the sheets whose leader share is a whole percentage")
      ->capture_default_str();
  cmd->add_option("--late-regions", s->o.late_regions, "Share of the regions counted late")->capture_default_str();
  cmd->add_option("--late-bias", s->o.late_bias, "Leader's expected share in late regions minus elsewhere (0.1 = 10 points)")
      ->capture_default_str();
  cmd->add_option("--leader", s->o.leader, "Index of the favoured choice (default: the first, or the template's largest)");
  cmd->add_option("--close-time", s->o.close_time, "Polls close (arrivals follow), ISO 8601")->capture_default_str();
  cmd->add_option("--threads", s->o.threads, "Threads (0 = all cores; the file does not depend on it)");
  cmd->add_flag("--json", s->json, "Machine-readable report on stdout");
  s->in.add(cmd);
  return {cmd, [s, intensity] {
            refuse_overwriting({{"--like", s->like}, {"--spec", s->in.spec_path}}, {{"--out", s->out}});
            refuse_repeats(s->o.choices, "--choices");
            // Arrivals follow the close by hours: past 9999-11-30 they would need a five-digit year
            // that no reader accepts, and the whole file would be written before that showed.
            if (auto t = parse_timestamp(s->o.close_time);
                t && t->epoch_ms > parse_timestamp("9999-11-30T00:00:00Z")->epoch_ms)
              throw UsageError(fmt::format("--close-time {} is too late: times are written with four-digit years, "
                                           "so the polls must close before 9999-11-30",
                                           s->o.close_time));
            s->o.fraud_kind = s->fraud_kind == "extreme"   ? FraudKind::kExtreme
                              : s->fraud_kind == "rewrite" ? FraudKind::kRewrite
                                                           : FraudKind::kIncremental;
            if (!s->inject.empty()) configure_injection(*s, intensity->count() > 0);
            else if (s->share >= 0) throw UsageError("--share goes with --inject");
            Election e = [&] {
              if (s->like.empty()) {
                std::cerr << fmt::format("tallyscope: simulating {} sheets\n", s->o.units);
                return simulate(s->o);
              }
              Election templ = load_election(s->like, s->in.load_options());
              print_guess_notes(templ);
              if (!s->inject.empty()) {
                std::cerr << fmt::format("tallyscope: injecting {} into {:g}% of the sheets of {}\n", s->inject,
                                         100 * s->share, s->like);
                return inject_into(templ, s->o);
              }
              std::cerr << fmt::format("tallyscope: simulating like {} ({} sheets)\n", s->like, templ.sheets());
              return simulate_like(templ, s->o);
            }();
            size_t leader = s->o.leader >= 0 ? static_cast<size_t>(s->o.leader) : s->like.empty() ? 0 : largest_choice(e);
            std::cerr << "tallyscope: writing " << s->out << "\n";
            OutputFile out(s->out);
            write_simulated_csv(e, [&](std::string_view chunk) { out.write(chunk); });
            out.close();
            SimulationSummary sum = summarize_simulation(e, leader, s->o.seed);
            if (!s->inject.empty()) sum.injected_into = s->like;
            if (s->json) {
              auto j = to_json(sum);
              j["file"] = s->out;
              j["bytes"] = out.bytes_written();
              emit(j);
            } else {
              print_text(to_text(sum) + "  written to " + s->out + "\n");
            }
            return 0;
          }};
}

}  // namespace tallyscope::cli
