// The hetsim `fcfs` model on SimGrid's S4U API, for benches/peers/simgrid/run.sh.
//
// Hosts come from classes.csv (name, count, speed, idle W, busy W), fastest class
// first; one core each, speed = speed x 1e9 flop/s, power from the host energy plugin
// ("idle:busy" watts). Jobs come from a hetsim CSV job list (arrival s, work units;
// a unit is 1e9 flop). One FIFO queue: the head starts on the first free host (class
// order, lowest index first), as hetsim's fcfs does; nothing behind it overtakes it.
// A submitter actor sleeps until each arrival; each started job is an actor on its
// host that executes the work, frees the host and dispatches again.
//
// Usage: fcfs DIR [--schedule FILE] [simgrid --cfg options]
// Prints one JSON line (jobs, makespan_s, wait_mean_s, energy_j, sim_s); --schedule
// writes "arrival,start,end,host" per job in file order.
#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

struct Job {
  double arrival;
  double work;
  double start = -1;
  double end   = -1;
  int host     = -1;
};

static std::vector<Job> jobs;
static std::vector<sg4::Host*> hosts; // class order, then index
static std::vector<char> busy;
static std::deque<int> queue;
static constexpr double UNIT = 1e9;

static void dispatch();

static void run_job(int j, int h)
{
  sg4::this_actor::execute(jobs[j].work * UNIT);
  jobs[j].end = sg4::Engine::get_clock();
  busy[h]     = 0;
  dispatch();
}

static void dispatch()
{
  while (!queue.empty()) {
    int h = -1;
    for (size_t i = 0; i < busy.size(); i++)
      if (!busy[i]) {
        h = (int)i;
        break;
      }
    if (h < 0)
      return;
    int j = queue.front();
    queue.pop_front();
    busy[h]       = 1;
    jobs[j].start = sg4::Engine::get_clock();
    jobs[j].host  = h;
    sg4::Actor::create("job", hosts[h], run_job, j, h);
  }
}

static void submitter()
{
  for (size_t j = 0; j < jobs.size(); j++) {
    sg4::this_actor::sleep_until(jobs[j].arrival);
    queue.push_back((int)j);
    dispatch();
  }
}

static std::vector<std::vector<std::string>> read_csv(const std::string& path)
{
  std::ifstream in(path);
  if (!in) {
    fprintf(stderr, "cannot read %s\n", path.c_str());
    exit(2);
  }
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line); // header
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, ','))
      cells.push_back(c);
    rows.push_back(cells);
  }
  return rows;
}

int main(int argc, char** argv)
{
  sg4::Engine e(&argc, argv);
  sg_host_energy_plugin_init();
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR [--schedule FILE]\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  std::string schedule;
  for (int i = 2; i + 1 < argc; i++)
    if (std::string(argv[i]) == "--schedule")
      schedule = argv[i + 1];

  auto t0   = std::chrono::steady_clock::now();
  auto* zone = sg4::create_full_zone("dc");
  for (auto& c : read_csv(dir + "/classes.csv")) {
    int count    = std::stoi(c[1]);
    double speed = std::stod(c[2]) * UNIT;
    for (int i = 0; i < count; i++) {
      auto* h = zone->create_host(c[0] + "-" + std::to_string(i), speed);
      h->set_property("wattage_per_state", c[3] + ":" + c[4]);
      h->set_property("wattage_off", "0");
      hosts.push_back(h);
    }
  }
  zone->seal();
  busy.assign(hosts.size(), 0);
  for (auto& r : read_csv(dir + "/jobs.csv"))
    jobs.push_back(Job{std::stod(r[0]), std::stod(r[1])});

  sg4::Actor::create("submitter", hosts[0], submitter);
  e.run();
  double sim_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  double energy = 0, wait = 0, makespan = sg4::Engine::get_clock();
  for (auto* h : hosts)
    energy += sg_host_get_consumed_energy(h);
  for (auto& j : jobs)
    wait += j.start - j.arrival;
  printf("{\"sim\": \"simgrid\", \"jobs\": %zu, \"makespan_s\": %.9f, \"wait_mean_s\": %.9f, \"energy_j\": %.6f, "
         "\"sim_s\": %.6f}\n",
         jobs.size(), makespan, wait / jobs.size(), energy, sim_s);
  if (!schedule.empty()) {
    FILE* f = fopen(schedule.c_str(), "w");
    fprintf(f, "arrival,start,end,host\n");
    for (auto& j : jobs)
      fprintf(f, "%.9f,%.9f,%.9f,%d\n", j.arrival, j.start, j.end, j.host);
    fclose(f);
  }
  return 0;
}
