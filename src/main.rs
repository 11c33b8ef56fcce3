fn main() {
    std::process::exit(cds_portal::cli::main(std::env::args().skip(1).collect()));
}
