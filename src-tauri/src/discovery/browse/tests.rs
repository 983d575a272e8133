use super::*;

fn txt(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

fn record(id: &str, seats: &str) -> NearbySession {
    NearbySession::from_record(
        &format!("Art [{id}]._coco._tcp.local."),
        5001,
        ["10.0.0.7".parse().unwrap(), "fe80::1".parse().unwrap()],
        txt(&[
            ("v", "1"),
            ("id", id),
            ("name", "Art"),
            ("seats", seats),
            ("code", "0"),
            ("ws", "8080"),
        ]),
    )
    .unwrap()
}

#[test]
fn a_record_becomes_a_session_with_a_url_on_its_ipv4_address() {
    let s = record("abc", "2");
    assert_eq!(s.url, "http://10.0.0.7:5001/");
    assert_eq!(s.name, "Art");
    assert_eq!(s.free_seats, Some(2));
    assert!(!s.code_required);
    assert_eq!(s.ws_port, Some(8080));
    assert_eq!(s.version, "1");
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["freeSeats"], 2);
    assert_eq!(json["codeRequired"], false);
}

#[test]
fn bad_txt_values_are_bounded_or_dropped() {
    let long = "x".repeat(MAX_TXT_NAME_BYTES + 50);
    let s = NearbySession::from_record(
        "odd._coco._tcp.local.",
        5001,
        ["10.0.0.8".parse().unwrap()],
        txt(&[
            ("name", &format!("{long}\u{7}")),
            ("seats", "9"),
            ("ws", "x"),
        ]),
    )
    .unwrap();
    assert_eq!(s.name.len(), MAX_TXT_NAME_BYTES);
    assert_eq!(s.free_seats, None, "more seats than a room has");
    assert_eq!(s.ws_port, None);
    assert!(s.code_required, "assumed when not said");
    assert_eq!(s.id, "odd._coco._tcp.local.", "no id: the DNS name");
    // No IPv4 address or no port: nothing a browser could open.
    let v6 = NearbySession::from_record("x", 5001, ["fe80::1".parse().unwrap()], txt(&[]));
    assert!(v6.is_none());
    let no_port = NearbySession::from_record("x", 0, ["10.0.0.1".parse().unwrap()], txt(&[]));
    assert!(no_port.is_none());
}

#[test]
fn our_own_record_is_never_listed() {
    let mut nearby = Nearby::new("me");
    assert!(!nearby.upsert("Art [me]._coco._tcp.local.", record("me", "4")));
    assert!(nearby.list().is_empty());
}

#[test]
fn a_change_is_reported_once_and_a_goodbye_removes() {
    let mut nearby = Nearby::new("me");
    let name = "Art [abc]._coco._tcp.local.";
    assert!(nearby.upsert(name, record("abc", "4")));
    assert!(!nearby.upsert(name, record("abc", "4")), "nothing new");
    assert!(nearby.upsert(name, record("abc", "3")));
    assert_eq!(nearby.list()[0].free_seats, Some(3));
    assert!(nearby.remove(&name.to_uppercase()), "DNS names ignore case");
    assert!(!nearby.remove(name));
    assert!(nearby.list().is_empty());
}

/// A session called `name` at `ip:port`, with instance id `id`.
fn at(id: &str, name: &str, ip: &str, port: u16) -> NearbySession {
    NearbySession::from_record(
        &format!("{name} [{id}]._coco._tcp.local."),
        port,
        [ip.parse().unwrap()],
        txt(&[("v", "1"), ("id", id), ("name", name), ("seats", "4")]),
    )
    .unwrap()
}

/// The `n`th of many sessions, spread over addresses so that no address
/// holds more than [`MAX_SESSIONS_PER_ADDRESS`].
fn spread(n: usize) -> NearbySession {
    let ip = format!("10.1.{}.1", n / MAX_SESSIONS_PER_ADDRESS);
    at(&format!("id{n}"), &format!("S{n}"), &ip, 5001 + n as u16)
}

fn target(nearby: &Nearby, key: &str) -> ProbeTarget {
    let s = &nearby.sessions[key];
    ProbeTarget {
        key: key.to_string(),
        id: s.id.clone(),
        address: s.address,
    }
}

fn fail(nearby: &mut Nearby, key: &str) {
    let t = target(nearby, key);
    assert!(nearby.checked(&t, false, Instant::now()));
}

#[test]
fn the_list_is_capped_at_the_limit_and_past_it() {
    let mut nearby = Nearby::new("me");
    for i in 0..MAX_NEARBY_SESSIONS {
        assert!(nearby.upsert(&format!("s{i}"), spread(i)));
    }
    assert_eq!(nearby.list().len(), MAX_NEARBY_SESSIONS);
    let extra = at("extra", "Extra", "10.2.0.1", 5001);
    assert!(!nearby.upsert("one-more", extra.clone()));
    assert_eq!(nearby.list().len(), MAX_NEARBY_SESSIONS);
    // A listed one still updates; once one leaves, a new one fits.
    let mut s0 = spread(0);
    s0.free_seats = Some(1);
    assert!(nearby.upsert("s0", s0));
    assert!(nearby.remove("s1"));
    assert!(nearby.upsert("one-more", extra));
    assert_eq!(nearby.list().len(), MAX_NEARBY_SESSIONS);
}

#[test]
fn one_address_holds_at_most_its_limit_and_others_still_fit() {
    let mut nearby = Nearby::new("me");
    for i in 0..MAX_SESSIONS_PER_ADDRESS {
        let s = at(
            &format!("f{i}"),
            &format!("Flood {i}"),
            "10.0.0.66",
            6000 + i as u16,
        );
        assert!(
            nearby.upsert(&format!("flood{i}"), s),
            "{i} is within the limit"
        );
    }
    // Past the limit: a flood of 40 more from the same address.
    for i in MAX_SESSIONS_PER_ADDRESS..40 {
        let s = at(
            &format!("f{i}"),
            &format!("Flood {i}"),
            "10.0.0.66",
            6000 + i as u16,
        );
        assert!(
            !nearby.upsert(&format!("flood{i}"), s),
            "{i} is past the limit"
        );
    }
    assert_eq!(nearby.list().len(), MAX_SESSIONS_PER_ADDRESS);
    // A real session on another machine is listed.
    assert!(nearby.upsert("real", at("real", "Art", "10.0.0.7", 5001)));
    let list = nearby.list();
    assert_eq!(list.len(), MAX_SESSIONS_PER_ADDRESS + 1);
    assert!(list.iter().any(|s| s.name == "Art"));
    let from_flood = list
        .iter()
        .filter(|s| s.announced_from() == "10.0.0.66".parse::<IpAddr>().unwrap())
        .count();
    assert_eq!(from_flood, MAX_SESSIONS_PER_ADDRESS);
}

#[test]
fn moving_to_a_full_address_counts_as_a_new_session_there() {
    let mut nearby = Nearby::new("me");
    for i in 0..MAX_SESSIONS_PER_ADDRESS {
        let s = at(&format!("f{i}"), "F", "10.0.0.66", 6000 + i as u16);
        assert!(nearby.upsert(&format!("f{i}"), s));
    }
    assert!(nearby.upsert("m", at("m", "M", "10.0.0.67", 6000)));
    // Same record, now claiming the full address: refused, and gone
    // from its old one.
    assert!(nearby.upsert("m", at("m", "M", "10.0.0.66", 7000)));
    assert_eq!(nearby.list().len(), MAX_SESSIONS_PER_ADDRESS);
    assert!(nearby.list().iter().all(|s| s.name == "F"));
}

#[test]
fn a_record_that_did_not_answer_gives_way_when_a_bound_is_reached() {
    let mut nearby = Nearby::new("me");
    // Per address: a checked, silent one gives way to a newer one there.
    for i in 0..MAX_SESSIONS_PER_ADDRESS {
        let s = at(&format!("f{i}"), "F", "10.0.0.66", 6000 + i as u16);
        assert!(nearby.upsert(&format!("f{i}"), s));
    }
    let newer = at("f9", "F", "10.0.0.66", 6009);
    assert!(!nearby.upsert("f9", newer.clone()), "none checked yet");
    let now = Instant::now();
    let t = target(&nearby, "f0");
    assert!(nearby.checked(&t, true, now));
    assert!(
        !nearby.upsert("f9", newer.clone()),
        "one that answers stays"
    );
    fail(&mut nearby, "f2");
    assert!(nearby.upsert("f9", newer));
    assert!(!nearby.sessions.contains_key("f2"));
    assert_eq!(nearby.list().len(), MAX_SESSIONS_PER_ADDRESS);

    // In all: made-up addresses fill the list; once checked and silent,
    // a real session takes a place.
    let mut nearby = Nearby::new("me");
    for i in 0..MAX_NEARBY_SESSIONS {
        assert!(nearby.upsert(&format!("s{i}"), spread(i)));
    }
    let real = at("real", "Art", "10.9.9.9", 5001);
    assert!(!nearby.upsert("real", real.clone()));
    fail(&mut nearby, "s5");
    assert!(nearby.upsert("real", real));
    assert_eq!(nearby.list().len(), MAX_NEARBY_SESSIONS);
    assert!(nearby.sessions.contains_key("real"));
    assert!(!nearby.sessions.contains_key("s5"));
}

#[test]
fn sessions_with_the_same_name_are_both_listed_and_marked() {
    let mut nearby = Nearby::new("me");
    assert!(nearby.upsert("a", at("a", "Art class", "10.0.0.7", 5001)));
    assert!(nearby.upsert("b", at("b", "Maths", "10.0.0.8", 5001)));
    assert!(!nearby.list().iter().any(|s| s.same_name));
    assert!(nearby.upsert("spoof", at("x", " art CLASS", "10.0.0.66", 5001)));
    let list = nearby.list();
    assert_eq!(list.len(), 3);
    let marked: Vec<_> = list
        .iter()
        .filter(|s| s.same_name)
        .map(|s| s.address)
        .collect();
    let expected: Vec<SocketAddr> = vec![
        "10.0.0.7:5001".parse().unwrap(),
        "10.0.0.66:5001".parse().unwrap(),
    ];
    assert_eq!(marked, expected, "by name, then address");
    let json = serde_json::to_value(&list[0]).unwrap();
    assert_eq!(json["sameName"], true);
    assert_eq!(json["address"], "10.0.0.7:5001");
    assert!(nearby.remove("spoof"));
    assert!(!nearby.list().iter().any(|s| s.same_name));
}

#[test]
fn sessions_that_answer_come_first_then_unchecked_then_silent() {
    let mut nearby = Nearby::new("me");
    nearby.upsert("z", at("z", "Zebra", "10.0.0.9", 5001));
    nearby.upsert("a", at("a", "Art", "10.0.0.66", 5001));
    nearby.upsert("m", at("m", "Maths", "10.0.0.8", 5001));
    let names = |n: &Nearby| n.list().into_iter().map(|s| s.name).collect::<Vec<_>>();
    assert_eq!(
        names(&nearby),
        ["Art", "Maths", "Zebra"],
        "by name until checked"
    );
    let t = target(&nearby, "z");
    assert!(nearby.checked(&t, true, Instant::now()));
    fail(&mut nearby, "a");
    assert_eq!(names(&nearby), ["Zebra", "Maths", "Art"]);
    let json = serde_json::to_value(nearby.list()).unwrap();
    assert_eq!(json[0]["answers"], true);
    assert_eq!(json[1]["answers"], serde_json::Value::Null);
    assert_eq!(json[2]["answers"], false);
}

#[test]
fn a_check_sticks_to_the_instance_and_address_it_was_made_for() {
    let mut nearby = Nearby::new("me");
    nearby.upsert("a", at("a", "Art", "10.0.0.7", 5001));
    let t = target(&nearby, "a");
    let now = Instant::now();
    assert!(nearby.checked(&t, true, now));
    assert!(!nearby.checked(&t, true, now), "nothing new");
    // A TXT change keeps it.
    let mut fewer = at("a", "Art", "10.0.0.7", 5001);
    fewer.free_seats = Some(2);
    assert!(nearby.upsert("a", fewer));
    assert_eq!(nearby.list()[0].answers, Some(true));
    // A new address is checked afresh, and an old answer is not applied.
    assert!(nearby.upsert("a", at("a", "Art", "10.0.0.8", 5001)));
    assert_eq!(nearby.list()[0].answers, None);
    assert!(!nearby.checked(&t, true, now), "made for the old address");
    assert_eq!(nearby.list()[0].answers, None);
}

#[test]
fn checks_fall_due_when_listed_and_again_after_the_interval() {
    let interval = std::time::Duration::from_secs(15);
    let mut nearby = Nearby::new("me");
    assert_eq!(nearby.next_due(interval), None);
    nearby.upsert("a", at("a", "Art", "10.0.0.7", 5001));
    nearby.upsert("b", at("b", "Bio", "10.0.0.8", 5001));
    let now = Instant::now();
    assert_eq!(nearby.due(now, interval).len(), 2);
    let t = target(&nearby, "a");
    nearby.checked(&t, true, now);
    let due = nearby.due(now, interval);
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].key, "b");
    assert!(nearby.next_due(interval).unwrap() <= Instant::now());
    let t = target(&nearby, "b");
    nearby.checked(&t, false, now);
    assert!(nearby
        .due(
            now + interval - std::time::Duration::from_millis(1),
            interval
        )
        .is_empty());
    assert_eq!(nearby.due(now + interval, interval).len(), 2);
    assert_eq!(nearby.next_due(interval), Some(now + interval));
}

#[test]
fn addresses_no_other_machine_is_at_are_dropped() {
    for ip in ["127.0.0.1", "0.0.0.0", "224.0.0.251", "255.255.255.255"] {
        let s = NearbySession::from_record("x", 5001, [ip.parse().unwrap()], txt(&[]));
        assert!(s.is_none(), "{ip}");
    }
    let s = NearbySession::from_record(
        "x",
        5001,
        ["127.0.0.1".parse().unwrap(), "10.0.0.9".parse().unwrap()],
        txt(&[]),
    )
    .unwrap();
    assert_eq!(s.url, "http://10.0.0.9:5001/");
    assert_eq!(s.addresses, ["10.0.0.9".parse::<IpAddr>().unwrap()]);
}
