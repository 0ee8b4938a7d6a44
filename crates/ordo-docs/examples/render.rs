//! Renders each document N times and prints the mean and 99th-percentile time per document; writes
//! one of each (invoice.pdf, invoice-b2c.pdf, label.pdf, label-cod.pdf, manifest.pdf) to a folder for a
//! person to look at.
//!
//! ```sh
//! cargo run --release -p ordo-docs --example render -- OUT_DIR [N]
//! ```

#[path = "../tests/common/samples.rs"]
#[allow(dead_code)]
mod samples;

use std::time::{Duration, Instant};

use ordo_docs::{DocError, Payment, invoice_pdf, label_pdf, manifest_pdf};

/// Renders one document.
type Render<'a> = &'a dyn Fn() -> Result<Vec<u8>, DocError>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().ok_or("usage: render OUT_DIR [N]")?);
    let runs: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(200);
    std::fs::create_dir_all(&out)?;

    let b2b_invoice = samples::invoice(3, true);
    let b2c_invoice = samples::invoice(60, false);
    let prepaid = samples::label(Payment::Prepaid);
    let cod = samples::label(Payment::Cod { amount_paise: 184_080 });
    let manifest = samples::manifest(120);
    let documents: [(&str, Render); 5] = [
        ("label", &|| label_pdf(&prepaid)),
        ("label-cod", &|| label_pdf(&cod)),
        ("invoice", &|| invoice_pdf(&b2b_invoice)),
        ("invoice-b2c", &|| invoice_pdf(&b2c_invoice)),
        ("manifest", &|| manifest_pdf(&manifest)),
    ];
    println!("{runs} renders each (the first, which loads the fonts, is not counted)");
    for (name, render) in documents {
        let pdf = render()?;
        std::fs::write(out.join(format!("{name}.pdf")), &pdf)?;
        let mut times: Vec<Duration> = (0..runs)
            .map(|_| {
                let start = Instant::now();
                let pdf = render();
                let elapsed = start.elapsed();
                std::hint::black_box(pdf).map(|_| elapsed)
            })
            .collect::<Result<_, _>>()?;
        times.sort();
        let mean = times.iter().sum::<Duration>() / runs as u32;
        let p99 = times[(runs * 99).div_ceil(100).saturating_sub(1)];
        println!("{name:<12} {:>8} bytes   mean {mean:>10.2?}   p99 {p99:>10.2?}", pdf.len());
    }
    Ok(())
}
