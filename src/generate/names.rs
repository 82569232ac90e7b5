//! Word lists for plausible names: product families, ingredients,
//! packaging, regions, supplier and customer names. Only the look of the
//! data depends on them; lists are cycled with a numeric suffix when the
//! network outgrows them.

/// Product families (each gets a base intermediate and several finished SKUs).
pub(super) const FAMILIES: &[&str] = &[
    "Hummus",
    "Greek Yogurt",
    "Granola",
    "Protein Bar",
    "Tomato Sauce",
    "Vegetable Soup",
    "Oat Drink",
    "Peanut Butter",
    "Salsa",
    "Pesto",
    "Vitamin Gummies",
    "Infant Cereal",
    "Salad Dressing",
    "Strawberry Jam",
    "Muesli",
    "Almond Butter",
    "Ketchup",
    "Mayonnaise",
    "Oat Cookies",
    "Lentil Soup",
    "Chocolate Spread",
    "Baba Ganoush",
    "Kefir",
    "Rice Pudding",
    "Sports Drink",
    "Fruit Puree",
    "Curry Paste",
    "Cereal Bar",
    "Plant Protein Shake",
    "Mustard",
];

/// Finished-goods variants.
pub(super) const VARIANTS: &[&str] = &[
    "Classic", "Organic", "Light", "Spicy", "Garlic", "Family", "Kids", "Lemon", "Smoky",
    "Original",
];

/// Raw materials with their unit of measure and the grams one unit weighs
/// (products.csv `kg_per_uom`): 0 for `kg`, whose unit implies the mass;
/// the density in g/l for liquids.
pub(super) const RAW: &[(&str, &str, u64)] = &[
    ("Chickpeas, dried", "kg", 0),
    ("Sunflower oil", "l", 920),
    ("Sea salt", "kg", 0),
    ("Cane sugar", "kg", 0),
    ("Tahini", "kg", 0),
    ("Rolled oats", "kg", 0),
    ("Skim milk powder", "kg", 0),
    ("Whole milk", "l", 1030),
    ("Tomato paste", "kg", 0),
    ("Lemon juice", "l", 1030),
    ("Garlic, peeled", "kg", 0),
    ("Olive oil", "l", 910),
    ("Peanuts, roasted", "kg", 0),
    ("Almonds", "kg", 0),
    ("Honey", "kg", 0),
    ("Cocoa powder", "kg", 0),
    ("Whey protein", "kg", 0),
    ("Pea protein", "kg", 0),
    ("Vitamin premix", "kg", 0),
    ("Gelatin", "kg", 0),
    ("Pectin", "kg", 0),
    ("Citric acid", "kg", 0),
    ("Black pepper", "kg", 0),
    ("Paprika", "kg", 0),
    ("Onion powder", "kg", 0),
    ("Spirit vinegar", "l", 1010),
    ("Egg yolk", "kg", 0),
    ("Mustard seed", "kg", 0),
    ("Strawberries, frozen", "kg", 0),
    ("Apple puree", "kg", 0),
    ("Rice flour", "kg", 0),
    ("Wheat flour", "kg", 0),
    ("Glucose syrup", "kg", 0),
    ("Cumin", "kg", 0),
    ("Chili flakes", "kg", 0),
    ("Coconut oil", "l", 920),
    ("Sunflower lecithin", "kg", 0),
    ("Natural flavouring", "kg", 0),
    ("Carrots, diced", "kg", 0),
    ("Potato flakes", "kg", 0),
    ("Basil", "kg", 0),
    ("Pine nuts", "kg", 0),
    ("Yogurt cultures", "kg", 0),
    ("Sesame seeds", "kg", 0),
    ("Raisins", "kg", 0),
    ("Dates, pitted", "kg", 0),
    ("Vanilla extract", "l", 950),
    ("Red lentils", "kg", 0),
    ("Coriander", "kg", 0),
    ("Turmeric", "kg", 0),
];

/// Packaging materials (always counted in `ea`) with the empty mass of one
/// unit in grams.
pub(super) const PACKAGING: &[(&str, u64)] = &[
    ("Tub 250 g", 12),
    ("Lid 95 mm", 5),
    ("Glass jar 370 ml", 190),
    ("Metal cap 63 mm", 6),
    ("Carton 1 l", 28),
    ("Flow-wrap film", 3),
    ("Label", 1),
    ("Bottle 500 ml", 24),
    ("Screw cap 28 mm", 2),
    ("Foil seal", 1),
    ("Pouch 200 g", 7),
    ("Folding box", 20),
    ("Sachet 40 g", 2),
    ("Shrink sleeve", 3),
];

/// Secondary packaging used by distribution centres to make multipacks,
/// with the mass of one unit (one multipack's worth) in grams.
pub(super) const SHRINK: &[(&str, u64)] = &[
    ("Shrink film multipack", 15),
    ("Corrugated display tray", 150),
    ("Banding", 2),
];

/// Sales regions.
pub(super) const REGIONS: &[&str] = &[
    "Northeast",
    "Southeast",
    "Midwest",
    "South Central",
    "Mountain",
    "Pacific",
    "Great Lakes",
    "Mid-Atlantic",
    "Gulf Coast",
    "Plains",
    "Northwest",
    "New England",
    "Southwest",
    "Appalachia",
    "Upper Midwest",
    "Central Valley",
];

/// Town names for plants and sites.
pub(super) const TOWNS: &[&str] = &[
    "Penn Yan",
    "Greeley",
    "Modesto",
    "Harrisburg",
    "Fargo",
    "Macon",
    "Yakima",
    "Joplin",
    "Salinas",
    "Burlington",
    "Dubuque",
    "Lubbock",
    "Eau Claire",
    "Bakersfield",
    "Wichita",
    "Lancaster",
    "Boise",
    "Tulare",
    "Dothan",
    "Ames",
];

/// Supplier name parts.
pub(super) const SUPPLIER_FIRST: &[&str] = &[
    "Northfield",
    "Golden",
    "Valley",
    "Prairie",
    "Coastal",
    "Alpine",
    "Sunrise",
    "Harvest",
    "Meridian",
    "Evergreen",
    "Blue River",
    "Highland",
    "Pacific",
    "Atlas",
    "Orchard",
];
pub(super) const SUPPLIER_SECOND: &[&str] = &[
    "Ingredients",
    "Foods",
    "Mills",
    "Growers",
    "Packaging",
    "Trading",
    "Farms",
    "Oils",
    "Nutrition",
    "Spice Co.",
];
pub(super) const SUPPLIER_COUNTRIES: &[(&str, &str)] = &[
    ("US", "Inc."),
    ("CA", "Ltd."),
    ("MX", "S.A. de C.V."),
    ("DE", "GmbH"),
    ("IT", "S.r.l."),
    ("ES", "S.L."),
    ("TR", "A.S."),
    ("IN", "Pvt. Ltd."),
    ("NL", "B.V."),
    ("FR", "SAS"),
];

/// Customer name parts.
pub(super) const CUSTOMER_FIRST: &[&str] = &[
    "Fresh",
    "Corner",
    "Green",
    "Family",
    "Harbor",
    "Main Street",
    "Market",
    "Sunny",
    "Union",
    "Liberty",
    "Cedar",
    "Maple",
];
pub(super) const CUSTOMER_SECOND: &[&str] = &[
    "Grocers",
    "Markets",
    "Foods",
    "Food Co-op",
    "Wholesale",
    "Pantry",
    "Provisions",
    "Supermarkets",
];

/// Reasons of background returns and complaints, by category.
pub(super) const BACKGROUND_REASONS: &[(&str, &str)] = &[
    ("damage", "case crushed in transit"),
    ("damage", "packs punctured, received damaged"),
    ("damage", "pallet dropped at receiving"),
    ("other", "over-shipment, surplus returned"),
    ("other", "ordered wrong variant"),
    ("other", "short-dated on arrival"),
    ("quality", "customer did not like the taste"),
    ("quality", "texture not as expected"),
    ("defect", "label misprinted"),
    ("defect", "lid not fully closed"),
];

/// Reasons of returns caused by a planted fault, by category.
pub(super) const FAULT_REASONS: &[(&str, &str)] = &[
    ("quality", "off odour when opened"),
    ("quality", "bitter off-taste"),
    ("quality", "product discoloured"),
    ("safety", "foreign material found"),
    ("safety", "consumer reports illness after eating"),
    ("defect", "seal leaking, product spoiled"),
    ("defect", "swollen pack"),
];

/// Defects of failed inspections.
pub(super) const DEFECTS: &[&str] = &[
    "moisture above specification",
    "foreign material in sample",
    "certificate of analysis missing",
    "temperature abuse on arrival",
    "micro count above limit",
    "damaged packaging",
    "colour out of specification",
];

/// `list[i]`, with ` 2`, ` 3`, ... appended once the list is exhausted.
pub(super) fn cycled(list: &[&str], i: usize) -> String {
    suffixed(list[i % list.len()], i / list.len())
}

/// `name` in round `round` of a cycled list: as is in round 0, then with
/// the round number (from 2) appended.
pub(super) fn suffixed(name: &str, round: usize) -> String {
    if round == 0 {
        name.to_string()
    } else {
        format!("{name} {}", round + 1)
    }
}
